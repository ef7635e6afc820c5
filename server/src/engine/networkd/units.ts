import type { UnitDefinition } from '../model';
export interface UnitFileInput { path: string; text: string | null }
export function loadUnitFiles(_inputs: UnitFileInput[]): UnitDefinition[] { return []; }
