@graph
Feature: Change notifications for presence
  A signed-in user's application subscribes to presence changes of up to 650
  users for at most an hour. Graph first checks the notification URL with a
  validation request the subscriber must echo; then it POSTs a notification
  for every change and retries when the subscriber fails. One presence
  subscription per user and application.

  Background:
    Given the users alice, bob and carol
    And the Graph app "watcher" is registered with delegated permissions Presence.Read.All
    And the Graph app "watcher" acts as carol
    And a webhook listens at https://hooks.example.com/presence
    And it is 09:00

  @G-SUB-1
  Scenario: Subscribe, get notified, renew, delete
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "/communications/presences?$filter=id in ('{alice}', '{bob}')",
       "expirationDateTime": "{now+1 hour}", "clientState": "secret"}
      """
    Then the Graph response status is 201
    And in the Graph response, "applicationId" is "{app}"
    And in the Graph response, "creatorId" is "{carol}"
    When the app "pbx" sets alice's presence to Busy/InACall for 4 hours
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    And in the latest notification at https://hooks.example.com/presence, "value[0].subscriptionId" is "{sub}"
    And in the latest notification at https://hooks.example.com/presence, "value[0].clientState" is "secret"
    And in the latest notification at https://hooks.example.com/presence, "value[0].changeType" is "updated"
    And in the latest notification at https://hooks.example.com/presence, "value[0].tenantId" is "{tenant}"
    And in the latest notification at https://hooks.example.com/presence, "value[0].resource" is "/communications/presences?$filter=id in ('{alice}', '{bob}')"
    And in the latest notification at https://hooks.example.com/presence, "value[0].resourceData.@odata.type" is "#microsoft.graph.presence"
    And in the latest notification at https://hooks.example.com/presence, "value[0].resourceData.@odata.id" is "users/{alice}/presence"
    And in the latest notification at https://hooks.example.com/presence, "value[0].resourceData.id" is "{alice}"
    When bob signs in to Teams on desktop
    Then the webhook at https://hooks.example.com/presence has received 1 notification about bob
    When 50 minutes pass
    And the Graph app "watcher" PATCHs /v1.0/subscriptions/{sub} with:
      """
      {"expirationDateTime": "{now+1 hour}"}
      """
    Then the Graph response status is 200
    When 30 minutes pass
    And alice starts presenting
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice
    When the Graph app "watcher" DELETEs /v1.0/subscriptions/{sub}
    Then the Graph response status is 204
    When alice stops presenting
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice

  @G-SUB-1
  Scenario: A subscription ends at its expiration
    Given the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+30 minutes}"}
      """
    When 30 minutes pass
    And alice signs in to Teams on desktop
    Then the webhook at https://hooks.example.com/presence has received 0 notifications
    When the Graph app "watcher" GETs /v1.0/subscriptions/{sub}
    Then the Graph response is the error 404 "ResourceNotFound"

  @G-SUB-1
  Scenario Outline: The validation handshake decides whether the subscription is created
    Given <webhook behaviour>
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+30 minutes}"}
      """
    Then the Graph response status is <status>

    Examples:
      | webhook behaviour                                                                   | status |
      | the webhook at https://hooks.example.com/presence answers validation requests with 200 | 201 |
      | the webhook at https://hooks.example.com/presence takes 9 seconds to answer          | 201    |
      | the webhook at https://hooks.example.com/presence answers validation requests with 500 | 400 |
      | the webhook at https://hooks.example.com/presence echoes a different validation token | 400   |
      | the webhook at https://hooks.example.com/presence takes 11 seconds to answer         | 400    |
      | a webhook listens at https://elsewhere.example.com/hook                              | 201    |

  @G-SUB-1
  Scenario: A failing subscriber gets the notification again later
    Given the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    And the webhook at https://hooks.example.com/presence answers notifications with 500
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    When the webhook at https://hooks.example.com/presence answers notifications with 202
    And 1 minute passes
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice
    When 30 minutes pass
    Then the webhook at https://hooks.example.com/presence has received 2 notifications about alice

  @G-SUB-1
  Scenario: An answer slower than 3 seconds counts as a failure
    Given the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    And the webhook at https://hooks.example.com/presence takes 4 seconds to answer
    When alice signs in to Teams on desktop
    Then the webhook at https://hooks.example.com/presence has received 0 notifications
    When the webhook at https://hooks.example.com/presence takes 1 second to answer
    And 1 minute passes
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice

  @G-SUB-1
  Scenario: The lifecycle URL hears reauthorizationRequired before expiry
    Given a webhook listens at https://hooks.example.com/lifecycle
    And the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "lifecycleNotificationUrl": "https://hooks.example.com/lifecycle",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    When 50 minutes pass
    Then the webhook at https://hooks.example.com/lifecycle has received a lifecycle notification "reauthorizationRequired"

  @G-SUB-1
  Scenario: One presence subscription per user and application
    Given the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{bob}", "expirationDateTime": "{now+1 hour}"}
      """
    Then the Graph response is the error 409 "ExtensionError"
    When the Graph app "watcher" acts as bob
    And the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    Then the Graph response status is 201

  @G-SUB-1
  Scenario Outline: What a subscription request may ask
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "<changeType>", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "<resource>", "expirationDateTime": "<expiration>"}
      """
    Then the Graph response status is <status>

    Examples:
      | changeType | resource                                          | expiration        | status |
      | updated    | communications/presences/{alice}                  | {now+60 minutes}  | 201    |
      | updated    | communications/presences/{alice}                  | {now+61 minutes}  | 400    |
      | updated    | communications/presences/{alice}                  | {now-1 minute}    | 400    |
      | created    | communications/presences/{alice}                  | {now+30 minutes}  | 400    |
      | updated    | users/{alice}/presence                            | {now+30 minutes}  | 400    |
      | updated    | communications/presences?$filter=id in ({filter-ids:650}) | {now+30 minutes} | 404    |
      | updated    | communications/presences?$filter=id in ({filter-ids:651}) | {now+30 minutes} | 400    |

  @G-SUB-1 @G-AUTH-1
  Scenario: Application tokens cannot subscribe to presence
    Given the Graph app "daemon" is registered with application permissions Presence.Read.All
    When the Graph app "daemon" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+30 minutes}"}
      """
    Then the Graph response is the error 403 "Forbidden"

  @G-URL-1
  Scenario Outline: A notification URL is https, or http on loopback only
    Given a webhook listens at <url>
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "<url>",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+30 minutes}"}
      """
    Then the Graph response status is <status>

    Examples:
      | url                                     | status |
      | https://hooks.example.com/presence      | 201    |
      | http://hooks.example.com/presence       | 400    |
      | http://127.0.0.1:9000/presence          | 201    |
      | http://localhost:9000/presence          | 201    |
      | https://hooks.example.com/presence#part | 400    |

  @G-SUB-2
  Scenario: A user sees, renews and deletes only the subscriptions made for them
    Given the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    When the Graph app "watcher" acts as bob
    And the Graph app "watcher" GETs /v1.0/subscriptions
    Then the Graph response status is 200
    And in the Graph response, "value" is []
    When the Graph app "watcher" GETs /v1.0/subscriptions/{sub}
    Then the Graph response is the error 404 "ResourceNotFound"
    When the Graph app "watcher" PATCHs /v1.0/subscriptions/{sub} with:
      """
      {"expirationDateTime": "{now+1 hour}"}
      """
    Then the Graph response is the error 404 "ResourceNotFound"
    When the Graph app "watcher" POSTs /v1.0/subscriptions/{sub}/reauthorize
    Then the Graph response is the error 404 "ResourceNotFound"
    When the Graph app "watcher" DELETEs /v1.0/subscriptions/{sub}
    Then the Graph response is the error 404 "ResourceNotFound"
    When the Graph app "watcher" acts as carol
    And the Graph app "watcher" GETs /v1.0/subscriptions
    Then in the Graph response, "value[0].id" is "{sub}"
    When the Graph app "watcher" DELETEs /v1.0/subscriptions/{sub}
    Then the Graph response status is 204

  @G-SUB-2
  Scenario: Reauthorize after reauthorizationRequired
    Given a webhook listens at https://hooks.example.com/lifecycle
    And the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "lifecycleNotificationUrl": "https://hooks.example.com/lifecycle",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    When 50 minutes pass
    Then the webhook at https://hooks.example.com/lifecycle has received a lifecycle notification "reauthorizationRequired"
    When the Graph app "watcher" GETs /v1.0/subscriptions/{sub}/reauthorize
    Then the Graph response is the error 405 "Request_BadRequest"
    When the Graph app "watcher" POSTs /v1.0/subscriptions/{sub}/reauthorize
    Then the Graph response status is 204
    When alice signs in to Teams on desktop
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice

  @G-SUB-2
  Scenario: Graph removes a subscription whose notifications fail for 4 hours
    Given a webhook listens at https://hooks.example.com/lifecycle
    And the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "lifecycleNotificationUrl": "https://hooks.example.com/lifecycle",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    And the webhook at https://hooks.example.com/presence answers notifications with 503
    When alice signs in to Teams on desktop
    And the Graph app "watcher" renews its subscription every 50 minutes for 230 minutes
    Then the webhook at https://hooks.example.com/lifecycle has received no lifecycle notification "subscriptionRemoved"
    When the Graph app "watcher" renews its subscription every 50 minutes for 40 minutes
    Then the webhook at https://hooks.example.com/lifecycle has received a lifecycle notification "subscriptionRemoved"
    And the webhook at https://hooks.example.com/lifecycle has received no lifecycle notification "missed"
    When the Graph app "watcher" GETs /v1.0/subscriptions/{sub}
    Then the Graph response is the error 404 "ResourceNotFound"

  @G-SUB-2
  Scenario: A subscriber that answers again keeps its subscription
    Given a webhook listens at https://hooks.example.com/lifecycle
    And the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "lifecycleNotificationUrl": "https://hooks.example.com/lifecycle",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+1 hour}"}
      """
    And the webhook at https://hooks.example.com/presence answers notifications with 503
    When alice signs in to Teams on desktop
    And the Graph app "watcher" renews its subscription every 50 minutes for 2 hours
    And the webhook at https://hooks.example.com/presence answers notifications with 202
    And the Graph app "watcher" renews its subscription every 50 minutes for 3 hours
    Then the webhook at https://hooks.example.com/lifecycle has received no lifecycle notification "subscriptionRemoved"
    When the Graph app "watcher" GETs /v1.0/subscriptions/{sub}
    Then the Graph response status is 200

  @G-SUB-2
  Scenario: Notifications lost to a full queue are announced as missed
    Given a webhook listens at https://hooks.example.com/lifecycle
    And Graph queues at most 1 notification per notification URL
    And the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "lifecycleNotificationUrl": "https://hooks.example.com/lifecycle",
       "resource": "/communications/presences?$filter=id in ('{alice}', '{bob}')",
       "expirationDateTime": "{now+1 hour}"}
      """
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    And the app "pbx" sets bob's presence to Away/Away for 1 hour
    Then the webhook at https://hooks.example.com/presence has received 1 notification about bob
    And the webhook at https://hooks.example.com/presence has received 0 notifications about alice
    And the webhook at https://hooks.example.com/lifecycle has received a lifecycle notification "missed"
    And the webhook at https://hooks.example.com/lifecycle has received no lifecycle notification "subscriptionRemoved"

  @G-SUB-2 @G-URL-1
  Scenario Outline: A lifecycle URL is https, or http on loopback only
    Given a webhook listens at <url>
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "lifecycleNotificationUrl": "<url>",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+30 minutes}"}
      """
    Then the Graph response status is <status>

    Examples:
      | url                                    | status |
      | https://hooks.example.com/lifecycle    | 201    |
      | http://hooks.example.com/lifecycle     | 400    |
      | http://127.0.0.1:9000/lifecycle        | 201    |
      | https://hooks.example.com/lifecycle#x  | 400    |
