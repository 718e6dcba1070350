// Blocks with their images taken out, for when Slack cannot fetch an image URL (it refuses the whole message then).
import type { types } from "@slack/bolt";

export const PREVIEW_NOTE =
  "Preview not shown: Slack could not fetch the image from Greenlight, which must be reachable from the internet for that.";

/** Image blocks become a note saying why; image accessories are dropped. Returns the blocks unchanged when there are none. */
export function withoutImages(blocks: readonly types.KnownBlock[]): types.KnownBlock[] {
  return blocks.map((block): types.KnownBlock => {
    if (block.type === "image") return { type: "context", block_id: block.block_id, elements: [{ type: "mrkdwn", text: PREVIEW_NOTE }] };
    if (block.type === "section" && block.accessory?.type === "image") {
      const { accessory: _, ...rest } = block;
      return rest;
    }
    return block;
  });
}

export const hasImages = (blocks: readonly types.KnownBlock[]) =>
  blocks.some((block) => block.type === "image" || (block.type === "section" && block.accessory?.type === "image"));

/**
 * Sends `blocks`; if Slack answers invalid_blocks (what it says when it cannot download an image_url, such as a
 * Greenlight on 127.0.0.1), sends them again without images.
 */
export async function sendWithImageFallback<T>(blocks: types.KnownBlock[], send: (blocks: types.KnownBlock[]) => Promise<T>): Promise<T> {
  try {
    return await send(blocks);
  } catch (error) {
    if ((error as { data?: { error?: string } }).data?.error !== "invalid_blocks" || !hasImages(blocks)) throw error;
    return send(withoutImages(blocks));
  }
}
