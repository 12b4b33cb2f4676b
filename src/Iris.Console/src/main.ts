// The console's entry: a hash router (#/, #/datasets/ID, #/images/ID) over the public API, and the sign-in gate.

import { signOut, token } from './api';
import { renderDataset } from './dataset';
import { renderDatasets } from './datasets';
import { renderImage } from './image';
import type { Page } from './page';
import { renderSignIn } from './signin';

let current: Page | null = null;

function route(): void {
  current?.dispose();
  current = null;
  const main = document.getElementById('main')!;
  const signOutButton = document.getElementById('sign-out') as HTMLButtonElement;
  document.title = 'Iris console';
  if (!token()) {
    signOutButton.hidden = true;
    renderSignIn(main, route);
    return;
  }
  signOutButton.hidden = false;
  const hash = location.hash.replace(/^#/, '');
  const dataset = /^\/datasets\/([^/]+)$/.exec(hash);
  const image = /^\/images\/([^/]+)$/.exec(hash);
  if (dataset) current = renderDataset(main, decodeURIComponent(dataset[1]!));
  else if (image) current = renderImage(main, decodeURIComponent(image[1]!));
  else current = renderDatasets(main);
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
window.addEventListener('iris:unauthorized', () => {
  signOut();
  route();
});
document.getElementById('sign-out')!.addEventListener('click', () => {
  signOut();
  location.hash = '#/';
  route();
});
route();
