/** What the customer is told at each step of a handoff. One place, so wording (and later, languages) live together. */
export const handoffMessages = {
  queued: (position: number, minutes: number) =>
    `I'm passing you to one of our agents. You're number ${position} in line: it should take about ${minutes} ` +
    `minute${minutes === 1 ? '' : 's'}. You can keep writing here; the agent will see your messages.`,
  alreadyQueued: 'You are already in line for an agent; they will see your messages here.',
  claimed: 'An agent has joined the conversation.',
  callbackOffer:
    "All our agents are still busy, sorry. If you like, leave a message here with what you need and a good time to call, and we'll call you back.",
  noDesk:
    "Our agents can't chat right now, sorry. Leave a message here with what you need and a good time to call, and we'll call you back.",
  callbackTaken: "Thanks, we have your message. An agent will call you back; meanwhile I'm here if you need anything.",
  resolved:
    "The agent has closed this conversation and you're back with the virtual assistant. How would you rate the help you got, from 1 (poor) to 5 (great)?",
  ratingThanks: (rating: number) => `Thank you for rating us ${rating} out of 5.`,
  creditLimitApproved: (amount: string) =>
    `Good news: your credit limit increase was approved. Your limit is now ${amount}.`,
  creditLimitDeclined: 'Your credit limit increase request was reviewed and declined, sorry.',
  goodwill: (what: string) => `We've added ${what} to your account as a goodwill gesture.`,
} as const;
