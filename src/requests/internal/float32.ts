/**
 * The shortest decimal that reads back as the same float32: the wire keeps 0.7 as 0.699999988..., and a
 * file should say 0.7.
 */
export function shortestFloat32(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
