/**
 * Stands in for R2 itself in the end-to-end tests: a Worker with the files bucket and a
 * producer of the queue that R2 object-create notifications go to. Tests put objects into the
 * bucket and send the notification through its bindings (`getEnv()`), as R2 would deployed.
 */
export default {
  fetch: () => new Response("R2 notifications stand-in"),
};
