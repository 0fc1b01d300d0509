// Forms that start something (a run, a dry run, a clone, a deletion) are sent once: on submit
// their button is disabled, so a double click cannot start two runs.
(() => {
  const forms = () => document.querySelectorAll("form[data-submit-once]");
  const buttons = (form) => form.querySelectorAll('button[type="submit"], input[type="submit"]');

  for (const form of forms()) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.submitting === "true") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "true";
      form.setAttribute("aria-busy", "true");
      // Disabled after this event: the form is being sent with the button that was pressed.
      for (const button of buttons(form)) button.disabled = true;
    });
  }

  // Back on this page from the history: its forms can be sent again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const form of forms()) {
      delete form.dataset.submitting;
      form.removeAttribute("aria-busy");
      for (const button of buttons(form)) button.disabled = false;
    }
  });
})();
