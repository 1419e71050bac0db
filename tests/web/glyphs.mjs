// Whether Japanese text is drawn in Japanese glyphs, not tofu: an element's
// screenshot against the same element with every Japanese letter replaced
// by the next one (部 → 郦). With a Japanese font most of the ink differs;
// without one both are rows of the same boxes. (tests/cli/page_check.py
// checks the HTML report the same way.)
import { writeFileSync } from 'node:fs';

const JAPANESE = '[\u4e00-\u9fee\u3041-\u3094\u30a1-\u30f8\uff01-\uff5d]';

export async function glyphDifference(page, selector, file) {
  const element = await page.waitForSelector(selector);
  const real = await element.screenshot({ type: 'png' });
  writeFileSync(file, real);
  await page.evaluate((selector, pattern) => {
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    window.__glyphs = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      window.__glyphs.push([node, node.data]);
      node.data = node.data.replace(new RegExp(pattern, 'g'), (c) => String.fromCharCode(c.charCodeAt(0) + 1));
    }
  }, selector, JAPANESE);
  const swapped = await element.screenshot({ type: 'png' });
  writeFileSync(file.replace(/\.png$/, '-swapped.png'), swapped);
  await page.evaluate(() => { for (const [node, data] of window.__glyphs) node.data = data; });
  return inkDifference(page.browserContext(), real, swapped);
}

// The share of ink pixels (grey < 128) that differ between two PNGs,
// compared on a canvas in a blank page.
async function inkDifference(context, a, b) {
  const page = await context.newPage();
  try {
    return await page.evaluate(async (a, b) => {
      const load = (data) => new Promise((done, fail) => {
        const image = new Image();
        image.onload = () => done(image);
        image.onerror = fail;
        image.src = `data:image/png;base64,${data}`;
      });
      const [one, two] = await Promise.all([load(a), load(b)]);
      const width = Math.max(one.width, two.width);
      const height = Math.max(one.height, two.height);
      const pixels = (image) => {
        const canvas = new OffscreenCanvas(width, height);
        const g = canvas.getContext('2d');
        g.fillStyle = '#fff';
        g.fillRect(0, 0, width, height);
        g.drawImage(image, 0, 0);
        return g.getImageData(0, 0, width, height).data;
      };
      const p = pixels(one);
      const q = pixels(two);
      let ink = 0;
      let differ = 0;
      for (let i = 0; i < p.length; i += 4) {
        const x = (p[i] + p[i + 1] + p[i + 2]) / 3 < 128;
        const y = (q[i] + q[i + 1] + q[i + 2]) / 3 < 128;
        if (x || y) ++ink;
        if (x !== y) ++differ;
      }
      return ink ? differ / ink : 0;
    }, a.toString('base64'), b.toString('base64'));
  } finally {
    await page.close();
  }
}
