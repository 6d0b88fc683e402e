/** The small DOM builders the desktop overlays (mission bar, branch panel) are made of. */

export function element(tag: string, className: string, text = ''): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

export function button(id: string, text: string, onClick: () => void): HTMLButtonElement {
  const node = document.createElement('button');
  node.id = id;
  node.type = 'button';
  node.textContent = text;
  node.addEventListener('click', onClick);
  return node;
}
