/* 会议室大屏：轮播、时钟、时间段、检查新版本、隐藏鼠标。
 *
 * One timer drives everything; slides are toggled with a class, never
 * re-created, so the page can run for days.  The layout is redone only when
 * it changes (load, fonts ready, resize, an item appearing or expiring):
 * text marked data-fit shrinks from its size in screen.css until it fits its
 * box, never below 3.5% of the short side (data-fit="phrases": each phrase on
 * one line if any size allows it); then a list that does not fit its slide
 * is shared evenly among copies of the slide placed after it, and each
 * list's text is made as large as its page allows, from the floor up to the
 * headline size (a text that does not fit even at the floor is cut short).
 *
 * Time checks: an element with data-from / data-until (local date-times,
 * inclusive), data-days ("1 5": Sunday is 0) or data-hours ("420-1140":
 * minutes of the day, overnight when the start is larger) shows only then.
 * Screen hours: the .screen-hours elements in .screen-off say when the
 * screen is on at all: while some data-rule="on" element is on (or there is
 * none) and no data-rule="off" one (a holiday) is.  Off, the rotation stops
 * and .screen-off covers the page (a small clock that moves every minute, a
 * black screen, or the fallback slide); it lifts by itself when on again.
 * The build's schedule page (branchboard/screen/schedule.py) applies these
 * same rules to the same attributes.
 *
 * Keys: → / PageDown next, ← / PageUp previous, space pause, F full screen,
 * Home first slide.  ?speed=50 runs the slides fifty times faster (for tests).
 */
(() => {
  "use strict";

  const TICK_MS = 250;
  const POLL_MS = 30000;          // over HTTP, look for a new build this often
  const CURSOR_MS = 3000;
  const FALLBACK_MS = 10000;      // the fallback slide also gives way to a reload
  const MAX_STEP_MS = 1000;       // after a sleep or a clock change, do not rush through slides
  const RESUME_KEY = "branchboard-screen-slide";
  const FLOOR_VMIN = 3.5;         // no text under 3.5% of the short side (screen.css)
  const FIT_STEPS = 8;            // halvings between the floor and the largest size
  const GROW_LEAST = 0.946;       // a list's smallest text (3.7vmin) down to the floor, 3.5vmin
  const GROW_MOST = 6 / 4.6;      // a list's largest text (--big) up to the headline (--head)
  const WEEKDAYS = "日一二三四五六";

  const body = document.body;
  const deck = document.querySelector(".deck");
  const fallback = deck.querySelector(".slide-fallback");
  const progress = deck.querySelector(".progress-bar");
  const pausedNote = deck.querySelector(".paused-note");
  const asked = Number(new URLSearchParams(location.search).get("speed"));
  const speed = asked > 0 ? asked : 1;
  const reloadMs = Number(body.dataset.reloadMinutes) * 60000;
  const isFile = location.protocol === "file:";
  const offScreen = document.querySelector(".screen-off");
  const hoursRules = offScreen ? [...offScreen.querySelectorAll(".screen-hours")] : [];
  const offClock = offScreen && offScreen.querySelector(".off-clock");

  let slides = [];                // the rotation, continuation slides included
  let current = fallback;
  let shownMs = 0;                // how long the current slide has shown (sped up)
  let paused = false;
  let last = Date.now();
  const loadedAt = last;
  let lastPoll = last;
  let lastMove = last;
  let minute = "";                // the minute the time checks last ran in
  let firstBuildId = null;
  let newBuild = false;
  let reloading = false;
  let layoutDue = false;
  let screenOff = false;

  /* -- what is on now --------------------------------------------------------- */

  function isOn(el, now) {
    const d = el.dataset;
    if (d.from && now < Date.parse(d.from)) return false;
    if (d.until && now > Date.parse(d.until)) return false;
    const date = new Date(now);
    if (d.days && !d.days.split(" ").includes(String(date.getDay()))) return false;
    if (d.hours) {
      const [start, end] = d.hours.split("-").map(Number);
      const m = date.getHours() * 60 + date.getMinutes();
      return start < end ? m >= start && m < end : m >= start || m < end;
    }
    return true;
  }

  /* Within the screen's hours (always, when it has none) and not on a holiday. */
  function isScreenOn(now) {
    const ons = hoursRules.filter((rule) => rule.dataset.rule === "on");
    const offs = hoursRules.filter((rule) => rule.dataset.rule === "off");
    return (ons.length === 0 || ons.some((rule) => isOn(rule, now))) && !offs.some((rule) => isOn(rule, now));
  }

  function isShowable(slide, now) {
    try {
      return isOn(slide, now) && slide.querySelector(".items > :not([hidden])") !== null;
    } catch (err) {
      console.error("幻灯片出错，已跳过", slide, err);
      return false;
    }
  }

  /* Items, slogans and ticker texts with dates: hide what is not on now. */
  function checkItems(now) {
    let changed = false;
    for (const el of document.querySelectorAll(".item, .fallback-slogan, .ticker-item")) {
      const off = !isOn(el, now);
      if (el.hidden !== off) {
        el.hidden = off;
        changed = true;
      }
    }
    return changed;
  }

  /* -- text that fits its box, whatever the fonts ----------------------------- */

  /* Nothing spills out of el, of a box inside it, or of a box around it up to top. */
  function isContained(el, top) {
    for (const box of el.querySelectorAll("*")) {
      if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) return false;
    }
    for (let box = el; box; box = box.parentElement) {
      if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) return false;
      if (box === top) break;
    }
    return true;
  }

  /* Leaves the largest size in [least, most] that fits (least when none does); true if one did. */
  function fitBetween(fits, least, most) {
    if (fits(most)) return true;
    if (!fits(least)) return false;
    let lo = least;
    let hi = most;
    for (let i = 0; i < FIT_STEPS; i++) {
      const mid = (lo + hi) / 2;
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    fits(lo);
    return true;
  }

  /* The sizes in screen.css are the largest; the fonts this machine has decide what fits. */
  function fitText(el) {
    const top = el.closest(".slide, .screen-header") || body;
    el.style.fontSize = "";
    el.classList.remove("is-unbroken");
    const most = parseFloat(getComputedStyle(el).fontSize);
    const least = Math.min(most, (FLOOR_VMIN / 100) * Math.min(innerWidth, innerHeight));
    const fits = (size) => {
      el.style.fontSize = `${size}px`;
      return isContained(el, top);
    };
    if (el.dataset.fit === "phrases") {
      el.classList.add("is-unbroken");  // a phrase broken in two reads badly from afar
      if (fitBetween(fits, least, most)) return;
      el.classList.remove("is-unbroken");
    }
    fitBetween(fits, least, most);
  }

  function fitAll() {
    for (const el of document.querySelectorAll("[data-fit]")) {
      if (el.getClientRects().length === 0) continue;  // not displayed: fitted when it shows
      try {
        fitText(el);
      } catch (err) {
        console.error("文字排版出错", el, err);
      }
    }
  }

  /* -- continuation slides ---------------------------------------------------- */

  function firstOverflowing(list) {
    const limit = list.getBoundingClientRect().bottom + 1;
    return [...list.children].findIndex((item) => !item.hidden && item.getBoundingClientRect().bottom > limit);
  }

  function shownCount(list) {
    return [...list.children].filter((item) => !item.hidden).length;
  }

  /* A page fits when no item runs past its bottom, or when it holds one item (which can go nowhere else). */
  function pageFits(page) {
    const list = page.querySelector(".items");
    return firstOverflowing(list) === -1 || shownCount(list) <= 1;
  }

  /* The items in n groups, in order, whose shown items differ in number by at most one;
     a hidden item goes with the shown item after it (the last group takes those at the end). */
  function balanced(items, n) {
    const total = items.filter((item) => !item.hidden).length;
    const size = (g) => Math.floor(total / n) + (g < total % n ? 1 : 0);
    const groups = Array.from({ length: n }, () => []);
    let g = 0;
    let taken = 0;
    for (const item of items) {
      if (!item.hidden) {
        if (taken === size(g)) {
          g += 1;
          taken = 0;
        }
        taken += 1;
      }
      groups[g].push(item);
    }
    return groups;
  }

  /* A copy of first placed after page, holding items. */
  function continuation(first, page, items) {
    const next = first.cloneNode(true);
    next.classList.remove("is-current");
    next.classList.add("is-continued");
    next.querySelector(".items").replaceChildren(...items);
    page.after(next);
    return next;
  }

  /* The first slide's items spread over it and copies placed after it, one group each. */
  function spread(first, groups) {
    const pages = [first];
    for (const group of groups.slice(1)) pages.push(continuation(first, pages[pages.length - 1], group));
    first.querySelector(".items").replaceChildren(...groups[0]);
    return pages;
  }

  /* The copies of first taken away, their items back on it. */
  function gather(first) {
    const list = first.querySelector(".items");
    while (first.nextElementSibling && first.nextElementSibling.classList.contains("is-continued")) {
      const page = first.nextElementSibling;
      list.append(...page.querySelector(".items").children);
      if (page === current) {
        current = first;
        first.classList.add("is-current");
      }
      page.remove();
    }
  }

  /* As few pages as hold the list at the smallest size, found by filling each page in turn; then the
     items shared evenly among that many pages (13 at 6 a page: 5 + 4 + 4), one
     more page whenever the even share leaves a page too full. */
  function paginateOne(first) {
    const list = first.querySelector(".items");
    list.style.setProperty("--grow", GROW_LEAST);  // as many items as can be read; then growAll
    const items = [...list.children];
    const total = shownCount(list);
    let pages = [first];
    let cut = firstOverflowing(list);
    while (cut > 0) {  // 0: one item alone does not fit; it stays where it is
      const page = pages[pages.length - 1];
      const next = continuation(first, page, [...page.querySelector(".items").children].slice(cut));
      pages.push(next);
      cut = firstOverflowing(next.querySelector(".items"));
    }
    for (let n = pages.length; n > 1 && n <= total; n++) {
      gather(first);
      pages = spread(first, balanced(items, n));
      if (pages.every(pageFits)) break;
    }
    return pages;
  }

  function paginate() {
    const shownItem = current.querySelector(".items > :not([hidden])");  // stays on screen
    const families = [];
    for (const first of deck.querySelectorAll(".slide:not(.slide-fallback):not(.is-continued)")) {
      gather(first);
      first.querySelector(".page-no").textContent = "（88/88）";  // measure with room for the page number
      const pages = paginateOne(first);
      pages.forEach((page, i) => {
        page.querySelector(".page-no").textContent = pages.length > 1 ? `（${i + 1}/${pages.length}）` : "";
      });
      families.push(pages);
    }
    slides = [...deck.querySelectorAll(".slide:not(.slide-fallback)")];
    const page = shownItem && shownItem.closest(".slide");
    if (page && page !== current) {
      current.classList.remove("is-current");
      page.classList.add("is-current");
      current = page;
    }
    return families;
  }

  /* -- the text of a slide as large as its room allows ------------------------ */

  /* A text cut to its first count characters, ending in an ellipsis. */
  function cutTo(el, count) {
    el.textContent = count >= el.dataset.full.length ? el.dataset.full : `${el.dataset.full.slice(0, count)}……`;
  }

  /* At the smallest size the page still does not fit: its texts marked
     data-clamp, in order, keep as much of their beginning as fits (the slide
     says where to read the rest). */
  function clampText(page) {
    const list = page.querySelector(".items");
    for (const el of page.querySelectorAll("[data-clamp]")) {
      if (isContained(list, page)) return;
      el.dataset.full = el.dataset.full || el.textContent;
      let lo = 0;
      let hi = el.dataset.full.length;
      while (hi - lo > 1) {  // the longest beginning that fits
        const mid = Math.floor((lo + hi) / 2);
        cutTo(el, mid);
        if (isContained(list, page)) lo = mid;
        else hi = mid;
      }
      cutTo(el, lo);
    }
  }

  /* The largest --grow (screen.css scales every text of a list by it) at which
     the page still fits: from the floor to the headline size. */
  function growPage(page) {
    const list = page.querySelector(".items");
    const fits = (grow) => {
      list.style.setProperty("--grow", grow.toFixed(4));
      return isContained(list, page);
    };
    if (!fitBetween(fits, GROW_LEAST, GROW_MOST)) clampText(page);
    return Number(list.style.getPropertyValue("--grow"));
  }

  /* Pages of one list share one size; a page with one item alone takes its own. */
  function growAll(families) {
    for (const el of document.querySelectorAll("[data-full]")) el.textContent = el.dataset.full;
    for (const pages of families) {
      if (pages[0].dataset.kind === "banner") continue;  // the slogan is fitted as data-fit
      try {
        const grows = pages.map(growPage);
        const alone = pages.every((page) => shownCount(page.querySelector(".items")) <= 1);
        if (!alone) {
          const least = Math.min(...grows);
          for (const page of pages) page.querySelector(".items").style.setProperty("--grow", least.toFixed(4));
        }
      } catch (err) {
        console.error("幻灯片排版出错", pages[0], err);
      }
    }
  }

  /* Header text first: its height decides how much room the slides have. */
  function layout() {
    fitAll();
    growAll(paginate());
  }

  /* -- rotation --------------------------------------------------------------- */

  function show(slide) {
    current.classList.remove("is-current");
    slide.classList.add("is-current");
    current = slide;
    shownMs = 0;
  }

  /* The first showable slide from index on, going in direction; else the fallback. */
  function showFrom(index, direction, now) {
    for (let n = 0; n < slides.length; n++) {
      const i = (((index + direction * n) % slides.length) + slides.length) % slides.length;
      if (isShowable(slides[i], now)) return show(slides[i]);
    }
    show(fallback);
  }

  function step(direction, now) {
    const at = slides.indexOf(current);
    showFrom(at < 0 ? (direction > 0 ? 0 : slides.length - 1) : at + direction, direction, now);
  }

  function durationMs(slide) {
    return slide === fallback ? FALLBACK_MS : (Number(slide.dataset.seconds) || 10) * 1000;
  }

  /* The slide has had its time, or can no longer show, or the fallback can give way. */
  function isDone(now) {
    if (shownMs >= durationMs(current)) return true;
    if (current === fallback) return slides.some((slide) => isShowable(slide, now));
    return !isShowable(current, now);
  }

  /* The next slide, unless a new build (or, from a file, the reload time) is due. */
  function advance(now) {
    if (reloading) return;  // asking again would cancel the reload under way
    if (newBuild || (isFile && reloadMs > 0 && now - loadedAt >= reloadMs)) {
      reloading = true;
      remember(slides.indexOf(current) + 1);
      reloadIfServed(now);
      return;
    }
    step(1, now);
  }

  /* Over HTTP, reload only when the page answers: a server that is down or
     between two builds must not put an error page on the wall. */
  function reloadIfServed(now) {
    if (isFile) return location.reload();
    fetch(location.href, { method: "HEAD", cache: "no-store" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        location.reload();
      })
      .catch(() => {
        reloading = false;
        step(1, now);  // carry on; try again at the next slide change
      });
  }

  function remember(index) {
    try { sessionStorage.setItem(RESUME_KEY, String(index)); } catch (err) { /* storage off */ }
  }

  function resumeIndex() {
    try {
      const saved = sessionStorage.getItem(RESUME_KEY);
      sessionStorage.removeItem(RESUME_KEY);
      return Number(saved) || 0;
    } catch (err) {
      return 0;
    }
  }

  /* -- screen hours ----------------------------------------------------------- */

  /* Off: cover the page and stop the rotation; on again: start from the first slide. */
  function checkScreen(now) {
    if (!offScreen) return;
    const off = !isScreenOn(now);
    if (off !== screenOff) {
      screenOff = off;
      offScreen.hidden = !off;
      if (off) {
        body.dataset.off = offScreen.dataset.offSlide;
        if (body.dataset.off === "slogan") show(fallback);
      } else {
        delete body.dataset.off;
        layoutDue = true;
        showFrom(0, 1, now);
      }
    }
    if (off && offClock) {  // a clock that stays put would burn in too
      const step = Math.floor(now / 60000);
      offClock.style.left = `${15 + ((step * 37) % 70)}%`;
      offClock.style.top = `${15 + ((step * 23) % 70)}%`;
    }
  }

  /* -- clock, new builds ------------------------------------------------------ */

  function showTime(date) {
    const two = (n) => String(n).padStart(2, "0");
    const day = `${date.getFullYear()}年${date.getMonth() + 1}月${date.getDate()}日 星期${WEEKDAYS[date.getDay()]}`;
    const time = `${two(date.getHours())}:${two(date.getMinutes())}`;
    for (const el of document.querySelectorAll(".date")) el.textContent = day;
    for (const el of document.querySelectorAll(".clock")) el.textContent = time;
  }

  function pollBuild() {
    fetch(body.dataset.buildId, { cache: "no-store" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((text) => {
        const id = text.trim();
        if (!id) return;
        if (firstBuildId === null) {
          firstBuildId = body.dataset.build = id;
        } else if (id !== firstBuildId) {
          newBuild = true;
          body.dataset.newBuild = id;
        }
      })
      .catch(() => { /* the server is busy or gone: keep showing what we have */ });
  }

  /* -- the one timer ---------------------------------------------------------- */

  function tick() {
    const now = Date.now();
    const elapsed = Math.min(Math.max(now - last, 0), MAX_STEP_MS);
    last = now;
    try {
      const date = new Date(now);
      const thisMinute = `${date.toDateString()} ${date.getHours()}:${date.getMinutes()}`;
      if (thisMinute !== minute) {
        minute = thisMinute;
        showTime(date);
        layoutDue = checkItems(now) || layoutDue;
        checkScreen(now);
      }
      if (layoutDue) {
        layoutDue = false;
        layout();
      }
      if (!paused && !screenOff) shownMs += elapsed * speed;
      if (!screenOff && isDone(now)) advance(now);
      const share = current === fallback ? 0 : Math.min(shownMs / durationMs(current), 1);
      progress.style.transform = `scaleX(${share})`;
      if (!isFile && now - lastPoll >= POLL_MS) {
        lastPoll = now;
        pollBuild();
      }
      body.classList.toggle("no-cursor", now - lastMove > CURSOR_MS);
    } catch (err) {
      console.error("大屏出错，继续轮播", err);
      step(1, now);
    }
  }

  /* -- keys and mouse --------------------------------------------------------- */

  function togglePause() {
    paused = !paused;
    pausedNote.hidden = !paused;
  }

  function toggleFullScreen() {
    const done = document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen();
    done.catch(() => { /* refused: stay as we are */ });
  }

  const KEYS = {
    ArrowRight: (now) => step(1, now),
    PageDown: (now) => step(1, now),
    ArrowLeft: (now) => step(-1, now),
    PageUp: (now) => step(-1, now),
    Home: (now) => showFrom(0, 1, now),
    " ": togglePause,
    f: toggleFullScreen,
    F: toggleFullScreen,
  };

  document.addEventListener("keydown", (event) => {
    const action = KEYS[event.key];
    if (!action || event.ctrlKey || event.altKey || event.metaKey) return;
    event.preventDefault();
    action(Date.now());
  });
  document.addEventListener("mousemove", () => {
    lastMove = Date.now();
    body.classList.remove("no-cursor");
  });
  window.addEventListener("resize", () => { layoutDue = true; });

  /* -- start ------------------------------------------------------------------ */

  showTime(new Date(last));
  checkItems(last);
  layout();
  showFrom(resumeIndex(), 1, last);
  checkScreen(last);
  if (document.fonts) {  // measured again with the fonts as they finally are
    document.fonts.ready.then(layout);
    document.fonts.addEventListener("loadingdone", () => { layoutDue = true; });
  }
  if (!isFile) pollBuild();
  setInterval(tick, TICK_MS);
})();
