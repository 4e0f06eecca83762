import { Component, type ComponentChildren } from "preact";

interface WhileVisibleProps {
  /** Off screen, the children render again at most this often. */
  offscreenIntervalMs: number;
  children: ComponentChildren;
}

/**
 * Renders its children on every update while they are on screen or about to be, and at most once
 * per `offscreenIntervalMs` while they are not: a board that changes many times a second would
 * otherwise spend most of each frame on cards nobody can see. Scrolled into view, the children
 * render at once. The children must render from current data (the live state changes in place).
 */
export class WhileVisible extends Component<WhileVisibleProps> {
  #visible = true;
  #renderedAt = 0;
  #pending: ReturnType<typeof setTimeout> | undefined;
  #observer: IntersectionObserver | undefined;

  override componentDidMount(): void {
    if (!(this.base instanceof Element) || typeof IntersectionObserver === "undefined") return;
    this.#observer = new IntersectionObserver(([entry]) => {
      const cameIntoView = entry.isIntersecting && !this.#visible;
      this.#visible = entry.isIntersecting;
      if (cameIntoView) this.forceUpdate();
    }, { rootMargin: "50% 0px" });
    this.#observer.observe(this.base);
  }

  override componentWillUnmount(): void {
    this.#observer?.disconnect();
    clearTimeout(this.#pending);
  }

  override shouldComponentUpdate(): boolean {
    if (this.#visible) return true;
    // Off screen, the update runs in a task of its own, so as not to lengthen the frame that
    // brings the visible part of the page up to date.
    const wait = this.#renderedAt + this.props.offscreenIntervalMs - performance.now();
    this.#pending ??= setTimeout(() => {
      this.#pending = undefined;
      this.forceUpdate();
    }, Math.max(0, wait));
    return false;
  }

  override render() {
    this.#renderedAt = performance.now();
    clearTimeout(this.#pending);
    this.#pending = undefined;
    return this.props.children;
  }
}
