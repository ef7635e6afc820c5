/**
 * The network map as JSON for other tools: the graph with each location as a path relative to
 * the report's base and 1-based line and column (the CLI's convention, docs/cli.md).
 */
import * as path from 'node:path';
import type { Location } from '../text';
import { mapGraphLocations, type NetworkGraph } from './networkGraph';

export const GRAPH_JSON_VERSION = 1;

export interface GraphJsonLocation {
  file: string;
  line: number;
  column: number;
}

export function graphJsonLocations(graph: NetworkGraph, base: string): NetworkGraph<GraphJsonLocation> {
  return mapGraphLocations(graph, (l: Location) => ({
    file: path.relative(base, l.file).split(path.sep).join('/'),
    line: l.range.start.line + 1,
    column: l.range.start.character + 1,
  }));
}

export function formatGraphJson(graph: NetworkGraph, base: string): string {
  return JSON.stringify({ version: GRAPH_JSON_VERSION, ...graphJsonLocations(graph, base) }, null, 2) + '\n';
}
