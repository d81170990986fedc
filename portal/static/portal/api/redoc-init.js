// Starts ReDoc on the API docs page (portal/templates/portal/api/redoc.html) from this script
// tag's data attributes, so the page has no inline script, with the portal's own font (no font
// from another host).
(function () {
  "use strict";

  const script = document.currentScript;

  // ReDoc's sidebar footer shows a logo from its CDN, with no option to turn it off; the
  // Content-Security-Policy would refuse it (img-src 'self') and report a violation. Images
  // from another host are not requested at all on this page.
  function foreign(url) {
    try {
      return new URL(String(url), document.baseURI).origin !== window.location.origin;
    } catch (error) {
      return true;
    }
  }
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && foreign(value)) {
      return undefined;
    }
    return setAttribute.call(this, name, value);
  };
  const source = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: source.enumerable,
    get: source.get,
    set: function (value) {
      if (!foreign(value)) source.set.call(this, value);
    },
  });

  const font = 'Vazirmatn, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  const defaults = {
    theme: { typography: { fontFamily: font, headings: { fontFamily: font } } },
  };
  const settings = script.dataset.settings ? JSON.parse(script.dataset.settings) : {};
  window.Redoc.init(
    script.dataset.schemaUrl,
    Object.assign(defaults, settings),
    document.getElementById("redoc-container"),
  );
})();
