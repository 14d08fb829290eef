import regions from 'virtual:regions';

export { regions };

export function regionName(code: string): string {
  return regions.desa[code] ?? regions.kecamatan[code] ?? code;
}

export function kecamatanOf(desa: string): string {
  return desa.split('.').slice(0, 3).join('.');
}
