// The measured thresholds applied to detections: one tag per label, counted, and faces only when both checks agree.
import { describe, expect, it } from "vitest";
import { detectionTags } from "./detection-tags.ts";

describe("detectionTags", () => {
  it("keeps one tag per label with its best score and counts the boxes above the count threshold", () => {
    const objects = [0.72, 0.5, 0.3, 0.25, 0.24].map((score) => ({ label: "sheep", score }));
    expect(detectionTags({ objects, faces: [] })).toEqual([{ label: "sheep", score: 0.72, source: "coco", count: 4 }]);
  });

  it("leaves out count for a label seen once", () => {
    expect(detectionTags({ objects: [{ label: "cat", score: 0.52 }], faces: [] })).toEqual([{ label: "cat", score: 0.52, source: "coco" }]);
  });

  it("drops a label whose best box is under the object threshold, however many boxes it has", () => {
    const objects = [0.32, 0.3, 0.25].map((score) => ({ label: "person", score }));
    expect(detectionTags({ objects, faces: [] })).toEqual([]);
  });

  it("holds the labels measured as noise on non-photos to their own higher thresholds", () => {
    const objects = [
      { label: "umbrella", score: 0.55 },
      { label: "kite", score: 0.4 },
      { label: "clock", score: 0.39 },
      { label: "clock", score: 0.5 },
    ];
    expect(detectionTags({ objects, faces: [] })).toEqual([{ label: "clock", score: 0.5, source: "coco", count: 2 }]);
  });

  it("counts a face only when the detector and the mesh both agree", () => {
    const faces = [
      { box: 0.87, mesh: 1 }, // a person's face
      { box: 0.76, mesh: 0 }, // a cat's face: the detector is fooled, the mesh is not
      { box: 0.29, mesh: 0.84 }, // a biplane's roundel: the mesh is fooled, the detector is not
      { box: 0.58, mesh: 0.99 },
    ];
    expect(detectionTags({ objects: [], faces })).toEqual([{ label: "face", score: 0.87, source: "faces", count: 2 }]);
  });
});
