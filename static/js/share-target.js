// The Web Share Target (manifest `share_target`): Android's Contacts app shares a contact as a
// vCard file, posted as multipart to SHARE_PATH. The service worker catches that POST, keeps the
// file in its memory only (never in a cache or IndexedDB: it is contacts in clear), and opens
// the Import screen, which takes the file once and sends it up for the usual preview. No DOM.

/** Where the manifest's share_target posts (the server answers it too, without a worker). */
export const SHARE_PATH = "/app/share";
/** Where the shared file lands: the Import screen, told that a file waits. */
export const SHARE_LANDING = "/app#import?shared";

/** Tell whether a request is a share posted to the app. */
export function isShare(request, origin) {
  const url = new URL(request.url);
  return request.method === "POST" && url.origin === origin && url.pathname === SHARE_PATH;
}

/** Return an inbox that holds at most one shared file, handed over once. */
export function createShareInbox() {
  let held = null;

  /** Read a share's form, keep its first file, and answer with the way to the Import screen. */
  async function receive(request) {
    held = null;
    try {
      const form = await request.formData();
      const files = [...form.values()].filter((value) => typeof value === "object" && value && "size" in value);
      held = files.find((file) => file.size > 0) ?? null;
    } catch {
      held = null; // not a form: the Import screen says the file did not arrive
    }
    return Response.redirect(new URL(SHARE_LANDING, request.url).href, 303);
  }

  /** Hand the file over (once) and forget it. */
  function take() {
    const file = held;
    held = null;
    return file;
  }

  return { receive, take };
}
