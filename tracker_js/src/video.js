// attune-video.js: HTML5 video capture (play, pause, progress at 25/50/75 % and complete), loaded by the core
// tracker with a page that has a video, or at the first play of one added later. Media events do not bubble:
// captured on the document.
import { D, W, on } from './util.js'

const emit = W.attune.e
const reached = new WeakMap()
const send = (video, action, at) => emit('video', { action, percent: at, video: video.id || undefined })
const percent = (video) => Math.round((video.currentTime / video.duration) * 100) || 0

for (const type of ['play', 'pause', 'ended', 'timeupdate']) {
  on(D, type, (e) => {
    const video = e.target
    if (video.tagName !== 'VIDEO') return
    if (type === 'ended') send(video, 'complete', 100)
    else if (type === 'timeupdate') {
      for (const m of [25, 50, 75]) {
        if (percent(video) >= m && m > (reached.get(video) || 0)) {
          reached.set(video, m)
          send(video, 'progress', m)
        }
      }
    } else if (!video.ended) send(video, type, percent(video))
  }, true)
}
// The play that loaded this script has passed: report the videos playing now.
D.querySelectorAll('video').forEach((video) => video.paused || send(video, 'play', percent(video)))
