import type { MagpieClient, MagpieError, Message } from '@magpie/sdk';
import type { GroupMember, GroupRole, GroupsApi } from './client-api';
import type { Directory } from './directory';
import { h, replaceChildren } from './dom';

/** Whether you can still write in a group, and if not, why. */
export type Membership = 'MEMBER' | 'LEFT' | 'REMOVED' | 'DISMISSED' | 'NOT_MEMBER';

/** The sentence under a disabled composer. */
export const MEMBERSHIP_SENTENCE: Record<Exclude<Membership, 'MEMBER'>, string> = {
  LEFT: 'You left this group, so you can no longer send messages here.',
  REMOVED: 'You were removed from this group, so you can no longer send messages here.',
  DISMISSED: 'This group was dismissed, so no one can send messages here any more.',
  NOT_MEMBER: 'You are not a member of this group, so you cannot send messages here.',
};

const ROLE_TEXT: Record<GroupRole, string> = { OWNER: 'Owner', ADMIN: 'Admin', MEMBER: 'Member' };
const ROLE_ORDER: Record<GroupRole, number> = { OWNER: 0, ADMIN: 1, MEMBER: 2 };

/** The gate's refusals of GROUP in the panel's words; anything else keeps the SDK's message. */
const REFUSALS: Record<string, string> = {
  NOT_ADMIN: 'Only the group’s owner and admins may do that.',
  NOT_OWNER: 'Only the group’s owner may do that.',
  FORBIDDEN: 'You may not do that in this group.',
  NOT_FOUND: 'That group no longer exists.',
  GROUP_FULL: 'The group is full.',
  GROUP_DISMISSED: 'This group was dismissed.',
};

function plainError(e: unknown): string {
  const error = e as MagpieError;
  return (error?.code && REFUSALS[error.code]) || (error?.message ?? String(e));
}

/**
 * The group panel of a group conversation ("Members" in its header): the members with their roles, invite by
 * user name, and what your role allows (kick and make / unmake admin, rename, leave, dismiss with a
 * confirmation). It re-reads the group after each change it makes and after each SYSTEM message of the group,
 * and reports your membership so the conversation can close its composer.
 */
export class GroupPanel {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly memberList: HTMLUListElement;
  private readonly renameForm: HTMLFormElement;
  private readonly renameInput: HTMLInputElement;
  private readonly inviteForm: HTMLFormElement;
  private readonly inviteInput: HTMLInputElement;
  private readonly leaveButton: HTMLButtonElement;
  private readonly dismissButton: HTMLButtonElement;
  private readonly confirmBar: HTMLElement;
  private readonly error: HTMLElement;
  private readonly status: HTMLElement;
  private members: GroupMember[] = [];
  private myRole: GroupRole | undefined;
  private membership: Membership = 'MEMBER';
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly groupId: string,
    private readonly client: MagpieClient,
    private readonly directory: Directory,
    private readonly groups: GroupsApi,
    private readonly onMembership: (m: Membership) => void,
  ) {
    const id = 'group-panel-' + groupId;
    this.heading = h('h3', { id: id + '-title' }, 'Members');
    this.memberList = h('ul', { class: 'group-members', 'aria-labelledby': id + '-title', 'data-testid': 'group-members' });
    this.renameInput = h('input', { id: id + '-name', maxlength: 100, required: true, autocomplete: 'off',
      'data-testid': 'group-rename-input' });
    this.renameForm = h('form', { class: 'inline-form', 'data-testid': 'group-rename-form', onsubmit: (e: Event) => {
      e.preventDefault();
      const name = this.renameInput.value.trim();
      if (name) {
        void this.act(`You renamed the group to “${name}”.`, () => this.groups.rename(this.groupId, name));
      }
    } },
      h('label', { for: id + '-name' }, 'Group name'),
      h('span', { class: 'inline-row' }, this.renameInput,
        h('button', { type: 'submit', class: 'secondary', 'data-testid': 'group-rename-button' }, 'Rename')));
    this.inviteInput = h('input', { id: id + '-invite', autocomplete: 'off', placeholder: 'user name, another…',
      'aria-describedby': id + '-invite-hint', 'data-testid': 'group-invite-input' });
    this.inviteForm = h('form', { class: 'inline-form', 'data-testid': 'group-invite-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.invite();
    } },
      h('label', { for: id + '-invite' }, 'Invite'),
      h('span', { class: 'inline-row' }, this.inviteInput,
        h('button', { type: 'submit', 'data-testid': 'group-invite-button' }, 'Invite')),
      h('span', { id: id + '-invite-hint', class: 'hint' }, 'User names, separated by commas.'));
    this.leaveButton = h('button', { type: 'button', class: 'secondary danger-text', 'data-testid': 'group-leave-button',
      onclick: () => void this.act('You left the group.', () => this.groups.leave(this.groupId)) }, 'Leave group');
    this.dismissButton = h('button', { type: 'button', class: 'secondary danger-text', 'data-testid': 'group-dismiss-button',
      'aria-controls': id + '-confirm', onclick: () => this.askDismiss(true) }, 'Dismiss group…');
    this.confirmBar = h('div', { class: 'confirm-bar', id: id + '-confirm', role: 'alertdialog',
      'aria-labelledby': id + '-confirm-text', 'data-testid': 'group-dismiss-confirm' },
      h('span', { id: id + '-confirm-text' }, 'Dismiss this group for everyone? No one can write in it afterwards.'),
      h('button', { type: 'button', class: 'danger', 'data-testid': 'group-dismiss-confirm-button', onclick: () => {
        this.confirmBar.hidden = true;
        void this.act('You dismissed the group.', () => this.groups.dismiss(this.groupId));
      } }, 'Dismiss'),
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'group-dismiss-cancel-button',
        onclick: () => this.askDismiss(false) }, 'Cancel'));
    this.confirmBar.hidden = true;
    this.error = h('p', { class: 'error', role: 'alert', 'data-testid': 'group-error' });
    this.status = h('p', { class: 'muted group-status', role: 'status', 'data-testid': 'group-status' });
    this.element = h('section', { class: 'group-panel', id, 'aria-labelledby': id + '-title', 'data-testid': 'group-panel' },
      this.heading, this.error, this.status, this.memberList, this.inviteForm, this.renameForm,
      h('div', { class: 'group-footer' }, this.leaveButton, this.dismissButton), this.confirmBar);
    this.element.hidden = true;
    this.render();
  }

  /** The members' uids as last read (empty until the first read): whom a message here may mention. */
  memberUids(): string[] {
    return this.members.map((m) => m.uid);
  }

  get shown(): boolean {
    return !this.element.hidden;
  }

  show(on: boolean): void {
    this.element.hidden = !on;
    if (on) {
      void this.refresh();
      this.heading.setAttribute('tabindex', '-1');
      this.heading.focus();
    }
  }

  /** Reads the group and its members again (one read at a time; a request meanwhile reads once more after it). */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.reading;
  }

  /** A message of this group: a change of membership shows at once, then the group is read again. */
  onMessage(m: Message): void {
    const e = m.groupEvent;
    if (m.type !== 'SYSTEM' || !e) {
      return;
    }
    const me = this.client.uid;
    const targets = Array.isArray(e.targetUids) ? e.targetUids.map(String) : [];
    const operator = String(e.operatorUid ?? m.senderUid);
    if (e.kind === 'GROUP_DISMISSED') {
      this.setMembership('DISMISSED');
    } else if (e.kind === 'MEMBER_LEFT' && (operator === me || targets.includes(me))) {
      this.setMembership('LEFT');
    } else if (e.kind === 'MEMBERS_KICKED' && targets.includes(me)) {
      this.setMembership('REMOVED');
    } else if ((e.kind === 'MEMBERS_INVITED' || e.kind === 'MEMBER_JOINED') && targets.includes(me)) {
      this.setMembership('MEMBER');
    }
    if (this.membership === 'MEMBER') {
      void this.refresh();
    } else {
      this.render();
    }
  }

  private async read(): Promise<void> {
    try {
      const info = await this.groups.info(this.groupId);
      this.directory.renameGroup(this.groupId, info.name);
      if (info.dismissed) {
        this.members = [];
        this.setMembership('DISMISSED');
      } else {
        this.members = await this.groups.members(this.groupId);
        this.setMembership(this.members.some((m) => m.uid === this.client.uid) ? 'MEMBER'
          : this.membership === 'MEMBER' ? 'NOT_MEMBER' : this.membership);
      }
      if (document.activeElement !== this.renameInput) {
        this.renameInput.value = info.name;
      }
    } catch (e) {
      const status = (e as { status?: number; codeNumber?: number }).status ?? (e as { codeNumber?: number }).codeNumber;
      if (status === 403 || status === 404) {
        // no longer a member (or the group is gone): the timeline said which, else the plain "not a member"
        this.members = [];
        this.setMembership(this.membership !== 'MEMBER' ? this.membership : status === 404 ? 'DISMISSED' : 'NOT_MEMBER');
      } else {
        this.error.textContent = `Could not read the group: ${plainError(e)}`;
      }
    }
    this.render();
  }

  private setMembership(m: Membership): void {
    if (m !== 'MEMBER') {
      this.members = [];
    }
    if (m !== this.membership) {
      this.membership = m;
      this.onMembership(m);
    }
  }

  /** Names may have arrived: render the rows again. */
  refreshNames(): void {
    this.render();
  }

  private render(): void {
    const me = this.client.uid;
    this.myRole = this.members.find((m) => m.uid === me)?.role;
    const member = this.membership === 'MEMBER' && this.myRole !== undefined;
    const isAdmin = this.myRole === 'OWNER' || this.myRole === 'ADMIN';
    this.heading.textContent = member ? `Members (${this.members.length})` : 'Members';
    this.renameForm.hidden = !isAdmin || !member;
    this.inviteForm.hidden = !member;
    this.leaveButton.hidden = !member || this.myRole === 'OWNER';
    this.dismissButton.hidden = !member || this.myRole !== 'OWNER';
    if (!member) {
      this.confirmBar.hidden = true;
    }
    const sorted = [...this.members].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]
      || this.directory.userName(a.uid).localeCompare(this.directory.userName(b.uid)));
    replaceChildren(this.memberList, ...sorted.map((m) => this.row(m)));
  }

  private row(m: GroupMember): HTMLLIElement {
    const me = this.client.uid;
    const name = this.directory.userName(m.uid);
    const mine = m.uid === me;
    const canKick = !mine && (this.myRole === 'OWNER' || (this.myRole === 'ADMIN' && m.role === 'MEMBER'));
    const canRole = !mine && this.myRole === 'OWNER' && m.role !== 'OWNER';
    return h('li', { class: 'group-member', 'data-testid': 'group-member', 'data-uid': m.uid, 'data-role': m.role,
      'data-name': name },
      h('span', { class: 'member-name' }, name, mine ? h('span', { class: 'muted' }, ' (you)') : null),
      h('span', { class: 'role role-' + m.role.toLowerCase(), 'data-testid': 'group-member-role' }, ROLE_TEXT[m.role]),
      h('span', { class: 'member-actions' },
        canRole ? h('button', { type: 'button', class: 'link', 'data-testid': m.role === 'ADMIN' ? 'group-unadmin-button' : 'group-admin-button',
          'aria-label': m.role === 'ADMIN' ? `Remove ${name} as admin` : `Make ${name} an admin`,
          onclick: () => void this.act(m.role === 'ADMIN' ? `${name} is no longer an admin.` : `${name} is now an admin.`,
            () => this.groups.setRole(this.groupId, m.uid, m.role === 'ADMIN' ? 'MEMBER' : 'ADMIN')) },
        m.role === 'ADMIN' ? 'Remove admin' : 'Make admin') : null,
        canKick ? h('button', { type: 'button', class: 'link danger-text', 'data-testid': 'group-kick-button',
          'aria-label': `Remove ${name} from the group`,
          onclick: () => void this.act(`You removed ${name}.`, () => this.groups.kick(this.groupId, [m.uid])) }, 'Remove') : null));
  }

  private async invite(): Promise<void> {
    const names = this.inviteInput.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) {
      this.error.textContent = 'Enter the user name of the person to invite.';
      this.inviteInput.focus();
      return;
    }
    await this.act(`You invited ${names.join(', ')}.`, async () => {
      const uids = await Promise.all(names.map(async (n) => (await this.directory.findUser(n)).uid));
      const already = uids.filter((u) => this.members.some((m) => m.uid === u));
      if (already.length > 0) {
        throw new Error(`${already.map((u) => this.directory.userName(u)).join(', ')} ${already.length > 1 ? 'are' : 'is'} already in the group.`);
      }
      await this.groups.invite(this.groupId, uids);
      this.inviteInput.value = '';
    });
  }

  private askDismiss(show: boolean): void {
    this.confirmBar.hidden = !show;
    if (show) {
      this.confirmBar.querySelector<HTMLButtonElement>('.secondary')!.focus();
    } else {
      this.dismissButton.focus();
    }
  }

  /** Runs one change: its buttons wait, a refusal shows in the panel, success is said and the group read again. */
  private async act(done: string, change: () => Promise<unknown>): Promise<void> {
    this.error.textContent = '';
    this.status.textContent = '';
    const buttons = [...this.element.querySelectorAll('button')];
    buttons.forEach((b) => (b.disabled = true));
    try {
      await change();
      this.status.textContent = done;
    } catch (e) {
      this.error.textContent = plainError(e);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      await this.refresh();
    }
  }
}
