// What each role may open (#16). The province role reads coverage figures only: the app
// shows it the coverage screen and its settings (language, logout), nothing else.
// The overseer (pengawas, #19) reads residents' reports only: the reports screen and settings.
export type Role = 'operator' | 'dukcapil' | 'admin' | 'provinsi' | 'pengawas';

/** The screens (first part of the route) a role is confined to; absent: no confinement. */
const ONLY: Partial<Record<Role, readonly string[]>> = {
  provinsi: ['cakupan', 'pengaturan'],
  pengawas: ['laporan', 'pengaturan'],
};

/** Screens that belong to some roles only; any other role typing the address goes home.
 * (The server refuses their data anyway: this keeps an empty screen from showing.) */
const OWNERS: Record<string, readonly Role[]> = {
  laporan: ['pengawas'],
  dukcapil: ['dukcapil', 'admin'],
  baru: ['operator'],
  antrean: ['operator'],
  sasaran: ['operator'],
};

/** Where the app lands after login. */
export function homeRoute(role: Role): string {
  const only = ONLY[role];
  return only ? `#/${only[0]}` : '#/';
}

/** The route a role is shown: its own, or its home screen for one it may not open. */
export function routeFor(role: Role, route: string[]): string[] {
  const only = ONLY[role];
  if (only) return only.includes(route[0] ?? '') ? route : [only[0]];
  const owners = OWNERS[route[0] ?? ''];
  return owners && !owners.includes(role) ? [] : route;
}

export interface Tab {
  match: string;
  operatorOnly?: boolean;
  officerOnly?: boolean;
  confinedOnly?: boolean; // shown only to a role confined to it (ONLY)
}

/** Whether the bottom bar shows a tab to this role. */
export function showsTab(role: Role, tab: Tab): boolean {
  const only = ONLY[role];
  if (only) return only.includes(tab.match);
  if (tab.confinedOnly) return false;
  return role === 'operator' ? !tab.officerOnly : !tab.operatorOnly;
}

/** Whether the role reads the request list (the province role sees no request). */
export function readsRequests(role: Role): boolean {
  return !ONLY[role];
}
