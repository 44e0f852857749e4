import { Router } from 'express';

/**
 * The panel's own stylesheet and script, loaded by AdminJS's layout
 * (`assets`). Served before the panel's guard: they hold no data and the
 * sign-in page uses the same layout.
 */
export const PANEL_STYLE_PATH = '/admin-ui/panel.css';
export const PANEL_SCRIPT_PATH = '/admin-ui/panel.js';

// Lists fit a 1440-pixel screen: a cell is one line, never broken inside an
// email, a key prefix or an IP address; what does not fit ends in an ellipsis
// and the whole value is the cell's title (PANEL_SCRIPT).
const PANEL_STYLE = `
table td[data-property-name], table thead th { padding-left: 8px; padding-right: 8px; }
td[data-property-name] { white-space: nowrap; word-break: keep-all; overflow-wrap: normal; overflow: hidden; text-overflow: ellipsis; max-width: 11rem; }
td[data-property-name] > * { display: inline-block; max-width: 11rem; overflow: hidden; text-overflow: ellipsis; vertical-align: middle; white-space: nowrap; word-break: keep-all; }
`;

// The whole value on hover, for the cells the ellipsis cut (set when the pointer
// arrives, so that it is right whatever React rendered since).
const PANEL_SCRIPT = `(function () {
  document.addEventListener('mouseover', function (event) {
    var target = event.target;
    var cell = target && target.closest ? target.closest('td[data-property-name]') : null;
    if (!cell) return;
    var text = (cell.innerText || '').trim();
    if (text && cell.getAttribute('title') !== text) cell.setAttribute('title', text);
  });
})();
`;

/** GET routes for the panel's stylesheet and script. */
export function panelUiRoutes(): Router {
  const router = Router();
  router.get(PANEL_STYLE_PATH, (_req, res) => void res.type('text/css').set('Cache-Control', 'no-cache').send(PANEL_STYLE));
  router.get(PANEL_SCRIPT_PATH, (_req, res) => void res.type('application/javascript').set('Cache-Control', 'no-cache').send(PANEL_SCRIPT));
  return router;
}
