/** What a rendered page leaves running (streams, blob URLs), stopped when the user goes elsewhere. */
export interface Page {
  dispose(): void;
}
