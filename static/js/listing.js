// The listing's address box: a new address replaces the point the listing was for.
document.querySelectorAll("[data-clears-point]").forEach((input) => input.addEventListener("input", () =>
  input.form.querySelectorAll("input[name=lat], input[name=lng]").forEach((hidden) => hidden.remove())));
