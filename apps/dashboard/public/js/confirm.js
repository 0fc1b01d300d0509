// Links marked data-dialog (Cancel run) ask in a dialog on the page instead of leading to the
// confirmation page they name, which is what they do without this script. Closing the dialog
// puts the keyboard back on the link.
(() => {
  for (const trigger of document.querySelectorAll("[data-dialog]")) {
    const dialog = document.getElementById(trigger.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") continue;
    trigger.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.showModal();
    });
    dialog.addEventListener("close", () => trigger.focus());
    for (const button of dialog.querySelectorAll("[data-close-dialog]")) {
      button.addEventListener("click", () => dialog.close());
    }
  }
})();
