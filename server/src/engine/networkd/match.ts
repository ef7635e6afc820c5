import type { StrPattern } from '../pattern';
export type Tri = 'yes' | 'no' | 'maybe';
export function fnmatch(_glob: string, _name: string): boolean { return false; }
export function matchPattern(_glob: string, _name: StrPattern): Tri { return 'maybe'; }
