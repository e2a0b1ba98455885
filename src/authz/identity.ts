// Who is asking. The daemon decides every right from this, never from where
// the request came in: the local socket's peer is LOCAL_IDENTITY, and a
// request the gateway forwards names the identity it authenticated (`as`).
export interface Identity {
  name: string;
  /** What it may do to the supervisor's programs: everything, look, or nothing. */
  programs: 'control' | 'read' | 'none';
  /** May it run jobs, and as which local user (null: the daemon's own); null: no jobs at all. */
  jobs: { runAs: string | null } | null;
  /** Sees and kills every identity's jobs, not only its own. */
  admin: boolean;
}

/**
 * The local socket's peer. Who can connect to that socket can do everything
 * (its owner and mode decide who can), as before there were identities.
 */
export const LOCAL_IDENTITY: Identity = Object.freeze({
  name: 'local',
  programs: 'control',
  jobs: Object.freeze({ runAs: null }),
  admin: true,
});

/**
 * Who downloads a log link made on the local socket (`taskmasterctl http`):
 * the gateway forwards the download as the link's identity, and the local
 * one is not a remote identity. Read-only, so that the gateway, which may
 * name it, gains no more than reading what a read identity could; a
 * remote.users entry of the same name takes precedence over it.
 */
export const LINK_IDENTITY: Identity = Object.freeze({
  name: LOCAL_IDENTITY.name,
  programs: 'read',
  jobs: null,
  admin: false,
});
