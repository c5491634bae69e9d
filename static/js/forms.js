// A form that posts can also be sent as a GET (a "Show free windows" button with
// formmethod="get" on the booking form): its CSRF token must then stay out of the URL,
// where history, server logs and the Referer would keep it.
document.addEventListener("submit", (event) => {
  const submitter = event.submitter;
  const method = (submitter && submitter.getAttribute("formmethod")) || event.target.getAttribute("method") || "get";
  if (method.toLowerCase() !== "get") return;
  for (const token of event.target.querySelectorAll("input[name='csrf_token']")) token.disabled = true;
});
// Back to a page kept in the browser's cache: its forms post again, with their token.
window.addEventListener("pageshow", () => {
  for (const token of document.querySelectorAll("input[name='csrf_token']")) token.disabled = false;
});
