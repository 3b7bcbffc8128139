Feature: SUBSCRIBE refusals and the end of a subscription
  The PBX refuses what it cannot serve with the answer RFC 6665 names, and
  ends a subscription with a final NOTIFY that says so.

  Background:
    Given the users alice
    And alice's desk phone is extension 201 with the SIP password "alice-201"

  @P-SIP-4
  Scenario: An extension the PBX does not have is answered 404
    When a SIP client subscribes to the dialog state of 299
    Then the SUBSCRIBE is answered 404

  @P-SIP-4
  Scenario: An event package the PBX does not serve is answered 489
    When a SIP client subscribes to the "message-summary" events of 201
    Then the SUBSCRIBE is answered 489

  @P-SIP-4
  Scenario: A SUBSCRIBE in a dialog the PBX does not know is answered 481
    Given a SIP client subscribes to the dialog state of 201
    When the subscriber refreshes a subscription the PBX does not know
    Then the SUBSCRIBE is answered 481

  @P-SIP-4
  Scenario: Expires 0 ends the subscription with a final NOTIFY
    Given a SIP client subscribes to the dialog state of 201
    When the subscriber ends its subscription to the dialog state of 201
    Then the subscriber is notified that its subscription to the dialog state of 201 is terminated within 1 second
