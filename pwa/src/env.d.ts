declare const __APP_VERSION__: string;

declare module 'virtual:regions' {
  const regions: {
    kabupaten: { code: string; name: string };
    kecamatan: Record<string, string>;
    desa: Record<string, string>;
  };
  export default regions;
}
