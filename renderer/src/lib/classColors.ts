/**
 * Class colours: the Okabe-Ito palette, distinguishable with the common colour-vision
 * deficiencies and readable on both the light and the dark background.
 */
const known: Record<string, string> = {
  benign: '#009E73',
  reconnaissance: '#0072B2',
  ddos: '#E69F00',
  dos: '#D55E00',
  theft: '#CC79A7',
  all: '#56B4E9',
  // binary models: benign vs every attack class together
  attack: '#D55E00',
};
const spare = ['#56B4E9', '#F0E442', '#8C6D31', '#7F7F7F', '#17BECF', '#9467BD', '#BCBD22'];

export function classColor(name: string, index = 0): string {
  return known[name.toLowerCase()] ?? spare[index % spare.length] ?? '#7F7F7F';
}

/** Known classes first in a fixed, meaningful order; others after, alphabetically. */
const order = ['benign', 'reconnaissance', 'dos', 'ddos', 'theft'];
export function sortClasses(names: readonly string[]): string[] {
  return [...names].sort((a, b) => {
    const ia = order.indexOf(a.toLowerCase());
    const ib = order.indexOf(b.toLowerCase());
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a.localeCompare(b);
  });
}
