// Copy buttons: each copies the text of the element its data-copy names, and says so where screen
// readers hear it. Without this script the buttons stay hidden and the text can be selected.
(() => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const target = document.getElementById(button.dataset.copy);
    if (!target) continue;
    const status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.after(status);
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(target.textContent);
        status.textContent = "Copied";
      } catch {
        // No clipboard (an insecure origin, a refused permission): the text is selected instead.
        const range = document.createRange();
        range.selectNodeContents(target);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        status.textContent = "Selected: press Ctrl+C to copy";
      }
      setTimeout(() => {
        status.textContent = "";
      }, 4000);
    });
  }
})();
