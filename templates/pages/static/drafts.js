// Drafts of forms kept in this tab (sessionStorage: the receive page's lines, see receive.js) go when
// someone signs out, from whichever page: the next person on this phone never sees them.
(() => {
  "use strict";
  const forget = () => {
    try {
      Object.keys(sessionStorage)
        .filter((key) => key.startsWith("foodbank.draft."))
        .forEach((key) => sessionStorage.removeItem(key));
    } catch (_) {
      /* storage refused: nothing was kept */
    }
  };
  document.querySelectorAll('form[action="/sign-out"]').forEach((form) => form.addEventListener("submit", forget));
})();
