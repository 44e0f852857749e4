import { CSRF_COOKIE, CSRF_HEADER } from './csrf.js';

/** Where the panel's CSRF helper script is served (AdminJS loads it on every page). */
export const CSRF_SCRIPT_PATH = '/security/csrf.js';

/**
 * A small script the panel loads on every page (AdminJS `assets.scripts`):
 * AdminJS's frontend talks to its API with axios over XMLHttpRequest, and our
 * components with fetch; both get the session's CSRF token as a header on
 * same-origin unsafe requests. Browsers send Origin on those too, which the
 * server checks first; the token covers clients that send neither header.
 */
export const CSRF_CLIENT_SCRIPT = `(function () {
  var SAFE = /^(GET|HEAD|OPTIONS)$/i;
  function token() {
    var m = document.cookie.match(/(?:^|;\\s*)${CSRF_COOKIE.replace('.', '\\.')}=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }
  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
  }
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__rgUnsafe = !SAFE.test(method) && sameOrigin(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.__rgUnsafe && token()) this.setRequestHeader('${CSRF_HEADER}', token());
    return send.apply(this, arguments);
  };
  var f = window.fetch;
  if (f) {
    window.fetch = function (input, init) {
      var method = (init && init.method) || (input && input.method) || 'GET';
      var url = typeof input === 'string' ? input : (input && input.url) || String(input);
      if (!SAFE.test(method) && sameOrigin(url) && token()) {
        init = Object.assign({}, init);
        var h = new Headers((init && init.headers) || (input && input.headers) || undefined);
        h.set('${CSRF_HEADER}', token());
        init.headers = h;
      }
      return f.call(this, input, init);
    };
  }
})();
`;
