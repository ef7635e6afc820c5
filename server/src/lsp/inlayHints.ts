/** textDocument/inlayHint: the engine's hints after each tap id, or none when the setting is off. */
import { InlayHintKind, type CancellationToken, type InlayHint, type InlayHintParams } from 'vscode-languageserver/node';
import { toLspRange, uriToPath } from './convert';
import { withServiceNow } from './request';
import type { ServiceHost } from './serviceHost';

export function inlayHintHandler(host: ServiceHost, enabled: () => boolean) {
  return (params: InlayHintParams, token: CancellationToken): Promise<InlayHint[]> | InlayHint[] => {
    const file = uriToPath(params.textDocument.uri);
    if (file === null || !enabled()) return [];
    // Editors ask after every edit: answered from the last complete analysis, as hover is.
    return withServiceNow(host, token, (service) =>
      (service.quickInlayHints ?? service.inlayHints).call(service, file, toLspRange(params.range)).map((h) => ({
        position: h.position,
        label: h.label,
        kind: InlayHintKind.Type,
        tooltip: h.tooltip,
        paddingLeft: true,
      })),
    );
  };
}
