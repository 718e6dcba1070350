// Cheap facts: orientation from the upright size, the camera from EXIF Make and Model.
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { orientationOf } from "../src/domain/image-analysis.ts";
import { cameraOf } from "./facts.ts";

async function exifWith(ifd0: Record<string, string>): Promise<Buffer | undefined> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } })
    .jpeg()
    .withExif({ IFD0: ifd0 })
    .toBuffer();
  return (await sharp(jpeg).metadata()).exif;
}

describe("orientationOf", () => {
  it("calls a shape within 5% of square a square", () => {
    expect([orientationOf(1000, 1010), orientationOf(1000, 1100), orientationOf(1100, 1000)]).toEqual(["square", "portrait", "landscape"]);
  });
});

describe("cameraOf", () => {
  it("uses the model alone when it already starts with the make", async () => {
    expect(cameraOf(await exifWith({ Make: "Canon", Model: "Canon EOS 5D Mark II" }))).toBe("Canon EOS 5D Mark II");
    expect(cameraOf(await exifWith({ Make: "NIKON CORPORATION", Model: "NIKON D750" }))).toBe("NIKON D750");
  });

  it("puts the make before a model that does not name it", async () => {
    expect(cameraOf(await exifWith({ Make: "Apple", Model: "iPhone 12" }))).toBe("Apple iPhone 12");
  });

  it("names no camera for an image without EXIF or with EXIF it cannot read", () => {
    expect(cameraOf(undefined)).toBeUndefined();
    expect(cameraOf(Buffer.from("Exif\0\0garbage"))).toBeUndefined();
  });
});
