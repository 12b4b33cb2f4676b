// A small SVG line chart of throughput (images finished per second): one point a second, the last two minutes.

import { h, svg } from './dom';

const width = 600;
const height = 120;
const maxPoints = 120;

export class ThroughputChart {
  readonly element: HTMLElement;
  private readonly line: SVGElement;
  private readonly area: SVGElement;
  private readonly peak: HTMLElement;
  private readonly points: number[] = [];

  constructor() {
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: 'chart', 'aria-hidden': 'true' });
    this.area = svg('path', { class: 'chart-area', d: '' });
    this.line = svg('polyline', { class: 'chart-line', points: '' });
    chart.append(this.area, this.line);
    this.peak = h('span', {}, 'peak 0.0 images/s');
    this.element = h('figure', { class: 'chart-box' },
      chart,
      h('figcaption', {}, 'Throughput over the last two minutes (', this.peak, ')'));
  }

  add(throughput: number): void {
    this.points.push(throughput);
    if (this.points.length > maxPoints) this.points.shift();
    const top = Math.max(1, ...this.points);
    const step = width / (maxPoints - 1);
    const offset = maxPoints - this.points.length;
    const coords = this.points.map((v, i) => `${((offset + i) * step).toFixed(1)},${(height - (v / top) * (height - 6)).toFixed(1)}`);
    this.line.setAttribute('points', coords.join(' '));
    if (coords.length > 1) {
      const first = ((offset) * step).toFixed(1);
      this.area.setAttribute('d', `M${first},${height} L${coords.join(' L')} L${width},${height} Z`);
    }
    this.peak.textContent = `peak ${Math.max(...this.points).toFixed(1)} images/s`;
  }
}
