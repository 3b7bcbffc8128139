@graph
Feature: Rich presence notifications
  A subscription with includeResourceData gets the presence in the
  notification itself, encrypted for the certificate the subscriber gave:
  a fresh symmetric key per item, RSA-OAEP-encrypted for the certificate,
  the presence AES-CBC-encrypted and HMAC-signed with it. The payload
  carries validation tokens signed by the identity platform's published
  keys, which prove Graph sent it. Basic notifications stay as they were.

  Background:
    Given the users alice, bob and carol
    And the Graph app "watcher" is registered with delegated permissions Presence.Read.All
    And the Graph app "watcher" acts as carol
    And a webhook listens at https://hooks.example.com/presence
    And it is 09:00

  @G-RICH-1
  Scenario: The presence comes encrypted for the subscriber's certificate
    Given the Graph app "bystander" is registered with delegated permissions Presence.Read.All
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "/communications/presences?$filter=id in ('{alice}', '{bob}')",
       "expirationDateTime": "{now+1 hour}", "clientState": "secret",
       "includeResourceData": true, "encryptionCertificate": "{certificate}",
       "encryptionCertificateId": "presence-2026"}
      """
    Then the Graph response status is 201
    And in the Graph response, "includeResourceData" is true
    And in the Graph response, "encryptionCertificateId" is "presence-2026"
    When the app "pbx" sets alice's presence to Busy/InACall for 4 hours
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    And the latest notification at https://hooks.example.com/presence decrypts to alice as Busy/InACall
    And in the latest notification at https://hooks.example.com/presence, "value[0].encryptedContent.encryptionCertificateId" is "presence-2026"
    And in the latest notification at https://hooks.example.com/presence, "value[0].encryptedContent.encryptionCertificateThumbprint" is "{certificate:thumbprint}"
    And in the latest notification at https://hooks.example.com/presence, "value[0].clientState" is "secret"
    And in the latest notification at https://hooks.example.com/presence, "value[0].resource" is "/communications/presences?$filter=id in ('{alice}', '{bob}')"
    And the validation token of the latest notification at https://hooks.example.com/presence is valid for the Graph app "watcher"
    And the validation token of the latest notification at https://hooks.example.com/presence is not valid for the Graph app "bystander"
    And the latest notification at https://hooks.example.com/presence no longer decrypts once a byte of its data is changed
    When bob signs in to Teams on desktop
    Then the webhook at https://hooks.example.com/presence has received 1 notification about bob
    And the latest notification at https://hooks.example.com/presence decrypts to bob as Available/Available
    And the last 2 notifications at https://hooks.example.com/presence were encrypted with different keys

  @G-RICH-1
  Scenario Outline: A rich subscription must give a usable certificate
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "communications/presences/{alice}", "expirationDateTime": "{now+30 minutes}",
       "includeResourceData": true, "encryptionCertificate": <certificate>,
       "encryptionCertificateId": <id>}
      """
    Then the Graph response <answer>

    Examples:
      | certificate              | id            | answer                              |
      | "{certificate}"          | "c1"          | status is 201                       |
      | "{certificate:rsa-4096}" | "c1"          | status is 201                       |
      | "{certificate}"          | "{chars:128}" | status is 201                       |
      | null                     | "c1"          | is the error 400 "BadRequest"       |
      | ""                       | "c1"          | is the error 400 "BadRequest"       |
      | "{certificate}"          | null          | is the error 400 "BadRequest"       |
      | "{certificate}"          | "{chars:129}" | is the error 400 "BadRequest"       |
      | "not base64!"            | "c1"          | is the error 400 "ValidationError"  |
      | "aGVsbG8="               | "c1"          | is the error 400 "ValidationError"  |
      | "{certificate:ecdsa}"    | "c1"          | is the error 400 "ValidationError"  |
      | "{certificate:rsa-1024}" | "c1"          | is the error 400 "ValidationError"  |
      | "{certificate:rsa-4097}" | "c1"          | is the error 400 "ValidationError"  |

  @G-RICH-1
  Scenario: Basic notifications carry no content and name the subscribed resource
    When the Graph app "watcher" POSTs /v1.0/subscriptions with:
      """
      {"changeType": "updated", "notificationUrl": "https://hooks.example.com/presence",
       "resource": "/communications/presences?$filter=id in ('{alice}', '{bob}')",
       "expirationDateTime": "{now+1 hour}"}
      """
    Then the Graph response status is 201
    And in the Graph response, "includeResourceData" is false
    When the app "pbx" sets alice's presence to Busy/InACall for 1 hour
    Then the webhook at https://hooks.example.com/presence has received 1 notification about alice
    And in the latest notification at https://hooks.example.com/presence, "value[0].resource" is "/communications/presences?$filter=id in ('{alice}', '{bob}')"
    And in the latest notification at https://hooks.example.com/presence, "value[0].encryptedContent" is absent
    And in the latest notification at https://hooks.example.com/presence, "validationTokens" is absent
