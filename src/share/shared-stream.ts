/**
 * The cross-tab protocol: one source of an origin leads (it holds the
 * connection) and the others follow (they mirror what it broadcasts). This
 * module owns the membership (channel.ts) and the role; the roles are
 * leader.ts and follower.ts, the messages messages.ts. The source talks to
 * it through {@link SharedStreamHost} and never looks at a message itself.
 */
import { joinShare, type Share } from './channel.js';
import { followerHears } from './follower.js';
import type { SharedStream, SharedStreamHost } from './host.js';
import { createLeaderRole } from './leader.js';
import { fromWire, type ShareMessage } from './messages.js';

export type { SharedStream, SharedStreamHost } from './host.js';

/**
 * Joins the shared stream of `key`, as a follower until the lock makes this
 * source the leader. Returns undefined where sharing is impossible (no Web
 * Locks or BroadcastChannel): the source keeps a private connection.
 */
export function joinSharedStream(key: string, host: SharedStreamHost): SharedStream | undefined {
  let role: 'leader' | 'follower' = 'follower';
  // Declared first: a lock manager may grant the lock, and the new leader
  // speak, before joinShare() returns; what it says then goes nowhere.
  let share: Share | undefined;
  const leader = createLeaderRole(
    (message) => share?.post(message),
    host,
    () => role === 'leader',
  );

  const hear = (message: ShareMessage): void => {
    // For every role: the end of the shared stream (a tab that took the lock
    // before this news arrived, since locks and channel are not ordered with
    // each other, is a leader already and stops too), and events, which a new
    // leader may still be owed by the last one.
    if (message.kind === 'error' && message.readyState === 2) host.over(fromWire(message));
    else if (message.kind === 'end') host.over(undefined);
    else if (message.kind === 'events') host.events(message.origin, message.events);
    else if (role === 'leader') leader.hears(message);
    else followerHears(host, message);
  };

  share = joinShare(`resilient-eventsource:${key}`, {
    onLeader: () => {
      // The role is set first: the host connects at once, and what it
      // announces must go out.
      role = 'leader';
      if (!host.lead()) role = 'follower';
    },
    onMessage: hear,
  });
  if (!share) return undefined;
  const member = share;
  member.post({ kind: 'hello' });

  return {
    // The leader's announcements (each a no-op unless this source leads).
    ...leader,
    get role() {
      return role;
    },
    requestReconnect() {
      member.post({ kind: 'reconnect' });
    },
    leave() {
      leader.flush();
      member.leave();
    },
  };
}
