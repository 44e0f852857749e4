/**
 * AdminJS renders its pages with inline <script> blocks (the Redux state, the
 * theme, the render call). A Content-Security-Policy without 'unsafe-inline'
 * needs a nonce on them; AdminJS has no hook for that, so its HTML is
 * rewritten on the way out.
 *
 * Before handing out nonces the JSON AdminJS inlines is made inert:
 * JSON.stringify leaves '<' as is, so a value such as a display name holding
 * "</script><script>..." would otherwise close the block and open one of its
 * own, which the nonce would then bless. JSON.stringify escapes every newline,
 * so the first ";\n" after the assignment is where its JSON ends.
 */
const JSON_ASSIGNMENTS = ['window.REDUX_STATE = ', 'window.THEME = '];

// Third-party web fonts: nothing leaves the machine (DESIGN.md), and the CSP refuses them anyway.
const GOOGLE_FONTS = /<link[^>]+href="https:\/\/fonts\.googleapis\.com[^"]*"[^>]*>/g;

export function hardenAdminHtml(html: string, nonce: string): string {
  let out = html;
  for (const marker of JSON_ASSIGNMENTS) {
    const start = out.indexOf(marker);
    if (start < 0) continue;
    const from = start + marker.length;
    const end = out.indexOf(';\n', from);
    if (end < 0) continue;
    out = out.slice(0, from) + out.slice(from, end).replace(/</g, '\\u003c') + out.slice(end);
  }
  return out.replace(GOOGLE_FONTS, '').replace(/<script>/g, `<script nonce="${nonce}">`);
}
