// What the Jupyter widget manager (@jupyter-widgets/html-manager 1.0.6, the static widgets
// of the smoothing and continuous-recognition chapters) needs before it loads; the book
// loads this script first of the widget scripts (``nb_ipywidgets_js`` in _config.yml;
// book/vendor_assets.py copies it to _static/vendor/).
//
// 1. MathJax 2's MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]) on top of MathJax 3.
//    The widget manager typesets widget labels with MathJax 2's API whenever window.MathJax
//    exists, which throws a TypeError under the book's MathJax 3 (fixed in later ipywidgets,
//    jupyter-widgets/ipywidgets#3849). Whatever window.MathJax holds (the configuration
//    object first, MathJax 3 once loaded) gets a non-enumerable ``Hub`` whose ``Queue`` runs
//    the typesetting through MathJax 3's typesetPromise after MathJax's startup, in order.
// 2. Where the widget manager's own files are. It finds its fonts (Font Awesome, for the
//    widgets' icons) next to the AMD module "@jupyter-widgets/html-manager/dist/..." as
//    require.js resolves it, by default relative to the page (a 404 per font); require.js
//    is told that this folder is _static/vendor/html-manager/, next to this script.
(function () {
  "use strict";
  const WAIT_MS = 60000;
  let chain = Promise.resolve();

  /** MathJax 3 once its startup (first typesetting pass included) is done; null if never. */
  function mathjax3() {
    const deadline = Date.now() + WAIT_MS;
    return new Promise((resolve) => {
      (function poll() {
        const mj = window.MathJax;
        if (mj && mj.startup && mj.startup.promise && typeof mj.typesetPromise === "function") {
          mj.startup.promise.then(() => resolve(mj), () => resolve(mj));
        } else if (Date.now() > deadline) {
          resolve(null);
        } else {
          setTimeout(poll, 50);
        }
      })();
    });
  }

  function typeset(element) {
    chain = chain.then(mathjax3).then((mj) => {
      if (mj === null) return undefined;
      return mj.typesetPromise(element ? [element] : undefined);
    }).catch((err) => console.warn("MathJax typesetting of a widget failed:", err));
    return chain;
  }

  const Hub = {
    Queue(...jobs) {
      for (const job of jobs) {
        if (Array.isArray(job) && job[0] === "Typeset") {
          typeset(job[2]);
        } else if (typeof job === "function") {
          chain = chain.then(job);
        }
      }
      return chain;
    },
    Typeset(element) {
      return typeset(element);
    },
  };

  function withHub(value) {
    if (value && typeof value === "object" && !Object.prototype.hasOwnProperty.call(value, "Hub")) {
      Object.defineProperty(value, "Hub", { value: Hub, configurable: true, writable: true });
    }
    return value;
  }

  // require.js reads a global ``require`` object as its configuration when it loads.
  const vendor = new URL(".", document.currentScript.src).href;
  const paths = { "@jupyter-widgets/html-manager/dist": `${vendor}html-manager` };
  if (typeof window.requirejs === "function") {
    window.requirejs.config({ paths });
  } else if (window.require === undefined) {
    window.require = { paths };
  }

  let current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get() {
      return current;
    },
    set(value) {
      current = withHub(value);
    },
  });
})();
