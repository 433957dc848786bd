import type { ChatMessage } from '@preau/protocol';

/** The latest chat messages of a session, kept in memory for joiners. */
export class ChatLog {
  readonly #limit: number;
  #messages: ChatMessage[];

  constructor(limit: number, initial: ChatMessage[] = []) {
    this.#limit = limit;
    this.#messages = initial.slice(-limit);
  }

  add(message: ChatMessage) {
    this.#messages.push(message);
    if (this.#messages.length > this.#limit) this.#messages.shift();
  }

  get(messageId: string): ChatMessage | undefined {
    return this.#messages.find((m) => m.messageId === messageId);
  }

  /** Puts the new version of a message in its place (if it is still among the latest). */
  replace(message: ChatMessage) {
    this.#messages = this.#messages.map((m) => (m.messageId === message.messageId ? message : m));
  }

  remove(messageId: string) {
    this.#messages = this.#messages.filter((m) => m.messageId !== messageId);
  }

  /** The ids of the messages one person wrote. */
  idsBy(participantId: string): string[] {
    return this.#messages.filter((m) => m.participantId === participantId).map((m) => m.messageId);
  }

  list(): ChatMessage[] {
    return [...this.#messages];
  }
}
