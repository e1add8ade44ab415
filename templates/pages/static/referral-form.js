// Submit once: a second tap while the first is on its way does nothing (the server also refuses to
// make a second referral from one form). Going back to the page makes it usable again.
(() => {
  const form = document.getElementById("referral-form");
  const button = document.getElementById("send-referral");
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    setTimeout(() => (button.disabled = true), 0);
  });
  window.addEventListener("pageshow", () => {
    delete form.dataset.sent;
    button.disabled = false;
  });
})();
