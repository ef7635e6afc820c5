/** textDocument/inlayHint: the engine's hints after each tap id, or none when the setting is off. */
import { InlayHintKind, type CancellationToken, type InlayHint, type InlayHintParams } from 'vscode-languageserver/node';
import { toLspRange, uriToPath } from './convert';
import { withService } from './request';
import type { ServiceHost } from './serviceHost';

export function inlayHintHandler(host: ServiceHost, enabled: () => boolean) {
  return (params: InlayHintParams, token: CancellationToken): Promise<InlayHint[]> | InlayHint[] => {
    const file = uriToPath(params.textDocument.uri);
    if (file === null || !enabled()) return [];
    return withService(host, token, (service) =>
      service.inlayHints(file, toLspRange(params.range)).map((h) => ({
        position: h.position,
        label: h.label,
        kind: InlayHintKind.Type,
        tooltip: h.tooltip,
        paddingLeft: true,
      })),
    );
  };
}
