// whatsapp-web.js depends on puppeteer, whose install would download a browser.
// Nothing may download at install time: we use Debian's Chromium (CHROMIUM_PATH) instead.
module.exports = { skipDownload: true };
