// Everyday colour names, shared by the upload pre-screen and the embedded tagger.

/** The everyday name of a colour (0..255 channels), by hue, saturation and value. */
export function colourName(r: number, g: number, b: number): string {
  const max = Math.max(r, g, b);
  const chroma = max - Math.min(r, g, b);
  const value = max / 255;
  const saturation = max === 0 ? 0 : chroma / max;
  if (value < 0.2) return "black";
  if (saturation < 0.15 || chroma < 20) {
    if (value > 0.85) return "white";
    return value < 0.3 ? "black" : "gray";
  }
  const hue = hueOf(r, g, b, max, chroma);
  if (hue < 15 || hue >= 345) return saturation < 0.5 && value > 0.7 ? "pink" : "red";
  if (hue < 45) return value < 0.65 ? "brown" : "orange";
  if (hue < 70) return value < 0.5 ? "brown" : "yellow";
  if (hue < 165) return "green";
  if (hue < 195) return "cyan";
  if (hue < 255) return "blue";
  if (hue < 315) return "purple";
  return "pink";
}

function hueOf(r: number, g: number, b: number, max: number, chroma: number): number {
  const sector = max === r ? (g - b) / chroma + 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  return (sector * 60) % 360;
}
