// The reader's webcam: open it, and grab the model's input from it, centre-cropped to a
// square and scaled to the model's size (as streamnets.video.centre_square does for files).

/** Opens the default camera in `video`; resolves to its MediaStream. */
export async function openCamera(video) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error("this browser offers no camera to pages (getUserMedia needs https or " +
      "localhost).");
  }
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  video.srcObject = stream;
  await video.play();
  return stream;
}

/** Stops every track of `stream` (the camera light goes off). */
export function closeCamera(video, stream) {
  for (const track of stream?.getTracks() ?? []) track.stop();
  video.srcObject = null;
}

/** Grabs the video's current picture as uint8 RGB (size x size x 3), centre square scaled. */
export function grabFrame(video, size, canvas = new OffscreenCanvas(size, size)) {
  const side = Math.min(video.videoWidth, video.videoHeight);
  if (!side) throw new Error("the camera has not delivered a picture yet.");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(video, (video.videoWidth - side) / 2, (video.videoHeight - side) / 2, side, side,
    0, 0, size, size);
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
    rgb[i] = rgba[j];
    rgb[i + 1] = rgba[j + 1];
    rgb[i + 2] = rgba[j + 2];
  }
  return rgb;
}
