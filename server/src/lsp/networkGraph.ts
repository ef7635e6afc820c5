/** `microvmNet/networkGraph`: the engine's network map of a snapshot, with URIs for locations. */
import type { AnalysisSnapshot } from '../engine/service';
import { buildNetworkGraph, mapGraphLocations } from '../engine/views/networkGraph';
import type { NetworkGraphResult } from '../protocol/protocol';
import { toLspLocation, type UriMap } from './convert';

export function networkGraph(snapshot: AnalysisSnapshot, uris: UriMap): NetworkGraphResult {
  return mapGraphLocations(buildNetworkGraph(snapshot), (location) => toLspLocation(location, uris));
}
