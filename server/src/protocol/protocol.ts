/**
 * Messages beyond LSP shared by the server and the VS Code client. Only plain JSON types here:
 * the client must not pull engine code into its bundle, and other LSP clients can implement
 * these from this file alone. Ranges are LSP ranges (0-based, UTF-16), locations carry URIs.
 */
import type { NoticeKind, OutcomeStatus, ViaKind } from '../engine/model';
import { NotificationType, RequestType0 } from 'vscode-languageserver-protocol';

export interface ProtocolRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface ProtocolLocation {
  uri: string;
  range: ProtocolRange;
}

/** Same values as the CLI's JSON `status` (docs/cli.md §4): the engine's own type. */
export type TapStatus = OutcomeStatus;

/** Same values as the CLI's JSON `via.kind` (docs/cli.md §4): the engine's own type. */
export type TapViaKind = ViaKind;

export interface TapReportEntry {
  host: string | null;
  vm: string | null;
  /** Holes in a pattern id print as `*`. */
  id: string;
  idKnown: boolean;
  type: string | null;
  status: TapStatus;
  bridge: string | null;
  /** For a macvtap: its host link, when statically known (the tree shows it under the link). */
  link?: string | null;
  via: { kind: TapViaKind; unit?: string; location?: ProtocolLocation } | null;
  /** The tap's `id` value. */
  location: ProtocolLocation;
  /** Why the tap has its status, most decisive first (never empty), each with where it rests. */
  reasons: TapReason[];
}

export interface TapReason {
  text: string;
  location: ProtocolLocation;
}

/** What the analysis could not do, one entry per kind (the CLI's JSON `notices`, with URIs). */
export interface TapReportNotice {
  kind: NoticeKind;
  count: number;
  /** The notice itself when there is one; what the kind means when there are several. */
  message: string;
  uris: string[];
}

export interface TapReport {
  taps: TapReportEntry[];
  notices: TapReportNotice[];
  stats: { files: number; nixFiles: number; networkdFiles: number; configurations: number; ms: number };
}

/** Tap counts the client shows in its status item; sent after every analysis that changed them. */
export interface AnalysisSummary {
  bridged: number;
  problems: number;
  unknown: number;
  total: number;
  /** A scan is running; counts are from the previous analysis. */
  scanning: boolean;
  files: number;
  /** Files the `maxFiles` cap left out of the last scan. */
  truncated: number;
  /** Changes whenever published diagnostics change: views showing taps should re-fetch. */
  revision: number;
}

export interface RescanResult {
  files: number;
  truncated: number;
  skipped: { uri: string; kind: NoticeKind; reason: string }[];
}

export const TapReportRequest = new RequestType0<TapReport, void>('microvmNet/tapReport');
export const RescanRequest = new RequestType0<RescanResult, void>('microvmNet/rescan');
export const AnalysisSummaryNotification = new NotificationType<AnalysisSummary>('microvmNet/analysisSummary');

/**
 * The command a code lens carries: `[uri, position, locations]`, the arguments of VS Code's
 * `editor.action.showReferences` in protocol types. The VS Code client converts and forwards;
 * other clients can bind it to their own references view.
 */
export const SHOW_REFERENCES_COMMAND = 'microvmNet.showReferences';

/**
 * `workspace/executeCommand` argument `{ tap: "<id>" }` or `{ uri, position }`: the decision chain
 * of the tap (server/src/lsp/explain.ts). Any LSP client can run it.
 */
export const EXPLAIN_TAP_COMMAND = 'microvm-net.explainTap';

export type ShowReferencesArgs = [uri: string, position: ProtocolRange['start'], locations: ProtocolLocation[]];

/** How a status counts in the summary: a problem is a tap that will silently not be bridged. */
export function statusCategory(status: TapStatus): 'bridged' | 'problem' | 'unknown' | 'other' {
  switch (status) {
    case 'bridged':
      return 'bridged';
    case 'bridge-undefined':
    case 'shadowed':
    case 'unmanaged':
      return 'problem';
    case 'unknown':
      return 'unknown';
    default:
      return 'other';
  }
}

/** The network map (engine/views/networkGraph.ts) with locations as protocol locations. */
export type NetworkGraphResult = import('../engine/views/networkGraph').NetworkGraph<ProtocolLocation>;
export const NetworkGraphRequest = new RequestType0<NetworkGraphResult, void>('microvmNet/networkGraph');
