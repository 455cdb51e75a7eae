/** Data shapes the chart containers hand to their layers. */

export interface Point {
  x: number;
  y: number;
}

export interface LineSeries {
  id: string;
  label: string;
  color: string;
  points: Point[];
  /** stroke width; thin traces (per batch) sit under the per-epoch lines */
  width?: number;
  dashed?: boolean;
  opacity?: number;
  /** draw a dot per point, with a hover text */
  dots?: boolean;
}

export interface HeatCell {
  row: string;
  col: string;
  count: number;
  /** share of the row, 0..1: the colour */
  share: number;
}
