/** textDocument/hover: the engine writes the markdown; we only wrap it. */
import { MarkupKind, type Hover, type HoverParams, type CancellationToken } from 'vscode-languageserver/node';
import type { ServiceHost } from './serviceHost';
import { toLspRange, uriToPath } from './convert';
import { withServiceNow } from './request';

export function hoverHandler(host: ServiceHost, markdownSupported: () => boolean) {
  return (params: HoverParams, token: CancellationToken): Hover | Promise<Hover | null> | null => {
    const file = uriToPath(params.textDocument.uri);
    if (file === null) return null;
    return withServiceNow(host, token, (service) => {
      const result = service.quickHover ? service.quickHover(file, params.position) : service.hover(file, params.position);
      if (!result) return null;
      return {
        contents: { kind: markdownSupported() ? MarkupKind.Markdown : MarkupKind.PlainText, value: result.markdown },
        range: toLspRange(result.range),
      };
    });
  };
}
