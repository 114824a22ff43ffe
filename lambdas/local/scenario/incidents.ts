import { backdoorAccount, groupAdminAdded, guestAlertOff } from './incidents/account-lifecycle.ts';
import { compromisedAdmin, idpSessionMismatch, signInDuringMeeting, waitingRoomOff } from './incidents/accounts.ts';
import { deckToAdviser } from './incidents/chat-files.ts';
import { dataAccessAfterCustomerCall, reportNeverReady } from './incidents/correlations.ts';
import { impossibleTravel, leaverJoinsStandup, outdatedClient, unfamiliarIpAtStandup } from './incidents/insiders.ts';
import { plantKit, type PlantContext, type PlantedExtras } from './incidents/kit.ts';
import { boardRecordingPublic, dealMeetingOpened, riskAlertOnBoardLink } from './incidents/meeting-exposure.ts';
import {
  adviserInMergerMeetings,
  briefJoinRecon,
  ceoImpersonation,
  ceoPipelineReview,
  guestInBoardMeeting,
  silentNotetaker,
  unregisteredJoin,
  zoombombing,
} from './incidents/outsiders.ts';
import { bulkRecordingDeletion, earningsRecording, recordingTrashedAfterCustomerCall } from './incidents/recordings.ts';
import { fakeZoomSupportTakesControl, lookalikeDomainJoiner } from './incidents/support-impersonation.ts';

/*
 * The planted incidents: at least one for every scheduled detection (queries/detections), every realtime check and
 * every post-meeting correlation, each written into the same meetings, logs and webhooks the benign traffic uses, and
 * each labelled for the manifest with the detection it should raise and the entities that identify it. The families
 * live in incidents/; they share one seeded stream, so the order below is part of what a seed generates.
 */

/** Plants every incident into the scenario; returns what they add besides meetings (which go into `ctx.meetings`). */
export function plantIncidents(ctx: PlantContext): PlantedExtras {
  const k = plantKit(ctx);
  signInDuringMeeting(k); // 1
  unregisteredJoin(k); // 2
  compromisedAdmin(k); // 3-4
  waitingRoomOff(k); // 5
  briefJoinRecon(k); // 6
  adviserInMergerMeetings(k); // 7
  guestInBoardMeeting(k); // 8
  ceoImpersonation(k); // 9
  impossibleTravel(k); // 10
  const leaverTeam = leaverJoinsStandup(k); // 11
  zoombombing(k); // 12
  outdatedClient(k); // 13
  silentNotetaker(k); // 14
  unfamiliarIpAtStandup(k, leaverTeam); // 15
  ceoPipelineReview(k); // 16-17
  recordingTrashedAfterCustomerCall(k); // 18
  bulkRecordingDeletion(k); // 19
  earningsRecording(k); // 20-21
  dataAccessAfterCustomerCall(k); // 22
  reportNeverReady(k); // 23
  riskAlertOnBoardLink(k); // 24
  dealMeetingOpened(k); // 25
  boardRecordingPublic(k); // 26
  backdoorAccount(k); // 27
  groupAdminAdded(k); // 28
  guestAlertOff(k); // 29
  deckToAdviser(k); // 30
  fakeZoomSupportTakesControl(k); // 31-32
  lookalikeDomainJoiner(k); // 33
  idpSessionMismatch(k); // 34
  return k.out;
}
