// How an orchestrator hands a service to the rolling updater: after committing its reconcile,
// it asks for an update of every service with slots on an older spec. The update supervisor
// implements it; asking again while an update towards the same spec runs changes nothing.

export interface UpdateRequests {
  update(serviceId: string): void;
}
