/**
 * The state and keyboard of an ARIA 1.2 combobox that looks names up as one
 * types (the invitation picker, the archive's name chooser): the typed
 * text, the options found, which one is active, and the announcement for
 * screen readers. `ComboboxField.svelte` draws it; each picker decides what
 * choosing does.
 */
export class Combobox<T> {
  typed = $state('');
  options: T[] = $state([]);
  open = $state(false);
  active = $state(-1);
  searching = $state(false);
  /** The text the shown options answer. */
  asked = $state('');
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ticket = 0;
  readonly #find: (q: string) => Promise<T[]>;
  readonly #pick: (option: T) => void;
  readonly #minLength: number;
  readonly #enterSearches: boolean;

  constructor(o: {
    /** The options for a text; [] when the search failed. */
    find: (q: string) => Promise<T[]>;
    /** What choosing an option does. */
    pick: (option: T) => void;
    /** Shortest text looked up. */
    minLength?: number;
    /** Enter with no active option searches at once (and never sends the form). */
    enterSearches?: boolean;
    /** What was typed before (a page sent without scripts). */
    typed?: string;
  }) {
    this.#find = o.find;
    this.#pick = o.pick;
    this.#minLength = o.minLength ?? 1;
    this.#enterSearches = o.enterSearches ?? false;
    this.typed = o.typed ?? '';
  }

  /** Looks the typed text up now. */
  async search(q = this.typed.trim()): Promise<void> {
    if (q.length < this.#minLength) return;
    const mine = ++this.#ticket;
    this.searching = true;
    const found = await this.#find(q);
    // A slower answer to an earlier query must not replace a newer one.
    if (mine !== this.#ticket) return;
    this.searching = false;
    this.asked = q;
    this.options = found;
    this.active = -1;
    this.open = true;
  }

  onInput = (): void => {
    clearTimeout(this.#timer);
    const q = this.typed.trim();
    if (q.length < this.#minLength) {
      this.#ticket++;
      this.open = false;
      this.searching = false;
      this.options = [];
      return;
    }
    this.#timer = setTimeout(() => void this.search(q), 200);
  };

  choose = (option: T): void => {
    this.open = false;
    this.options = [];
    this.typed = '';
    this.#pick(option);
  };

  onKeydown = (event: KeyboardEvent): void => {
    const count = this.options.length;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!this.open && count > 0) this.open = true;
      if (count > 0) this.active = (this.active + 1) % count;
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      if (count > 0) this.active = this.active <= 0 ? count - 1 : this.active - 1;
    } else if (event.key === 'Enter') {
      const option = this.open ? this.options[this.active] : undefined;
      // Enter chooses the active option; otherwise it searches, or sends the form as usual.
      if (option !== undefined) {
        event.preventDefault();
        this.choose(option);
      } else if (this.#enterSearches) {
        event.preventDefault();
        void this.search();
      }
    } else if (event.key === 'Escape' && this.open) {
      event.preventDefault();
      this.open = false;
      this.active = -1;
    }
  };

  /** Closes the list a moment after the field loses focus, so a click on an option lands first. */
  onBlur = (): void => {
    setTimeout(() => (this.open = false), 150);
  };

  /** What a screen reader is told: searching, nothing found, or how many. */
  announcement(words: {
    searching: string;
    none: (q: string) => string;
    count: (n: number) => string;
  }): string {
    if (this.searching) return words.searching;
    if (!this.open) return '';
    return this.options.length === 0 ? words.none(this.asked) : words.count(this.options.length);
  }
}
