Feature: Line state over SIP: the busy-lamp field a PBX connector reads
  The PBX serves its lines over SIP as real PBXs do: a watcher subscribes to
  an extension's dialog event package (RFC 4235) and gets a NOTIFY with the
  extension's dialog-info at once and another at every line change, from the
  same PBX model the JSON API shows. The steps talk to the PBX with a real
  SIP client on loopback; "within 1 second" waits for the NOTIFY and fails
  when it has not come by then.

  Background:
    Given the users alice and bob
    And alice's desk phone is extension 201 with the SIP password "alice-201"
    And bob's desk phone is extension 202 with the SIP password "bob-202"

  @P-SIP-1
  Scenario: An extension registers with its SIP password, and not with another
    When a SIP client registers as 201 with the SIP password "alice-201"
    Then the REGISTER is answered 200
    When a SIP client registers as 202 with the SIP password "alice-201"
    Then the REGISTER is answered 403

  @P-SIP-2
  Scenario: A call made is early while it rings out, then confirmed, then terminated
    Given a SIP client subscribes to the dialog state of 201
    Then the subscriber is notified that 201 has no call within 1 second
    When alice's desk phone goes off-hook
    Then the subscriber is notified that 201 is early (initiator) within 1 second
    When the call on alice's desk phone is answered
    Then the subscriber is notified that 201 is confirmed (initiator) within 1 second
    When alice hangs up her desk phone
    Then the subscriber is notified that 201 is terminated (initiator) within 1 second

  @P-SIP-2
  Scenario Outline: A call received over <transport> rings early, is confirmed when answered and terminated when it ends
    Given a SIP client subscribes to the dialog state of 202 over <transport>
    When bob's desk phone rings
    Then the subscriber is notified that 202 is early (recipient) within 1 second
    When bob answers his desk phone
    Then the subscriber is notified that 202 is confirmed (recipient) within 1 second
    When bob puts the call on his desk phone on hold
    And bob retrieves the call on his desk phone
    And bob hangs up his desk phone
    Then the subscriber is notified that 202 is terminated (recipient) within 1 second

    Examples:
      | transport |
      | UDP       |
      | TCP       |

  @P-SIP-2
  Scenario: Each subscription sees only its own extension's calls
    Given a SIP client subscribes to the dialog state of 201
    And a SIP client subscribes to the dialog state of 202
    When bob takes a call on his desk phone
    Then the subscriber is notified that 202 is confirmed (recipient) within 1 second
    When alice makes a call on her desk phone
    Then the subscriber is notified that 201 is confirmed (initiator) within 1 second
    When bob hangs up his desk phone
    Then the subscriber is notified that 202 is terminated within 1 second

  @P-SIP-5
  Scenario: A refresh is answered with a NOTIFY of the current state
    Given a SIP client subscribes to the dialog state of 201
    When alice makes a call on her desk phone
    Then the subscriber is notified that 201 is confirmed within 1 second
    When the subscriber refreshes its subscription to the dialog state of 201
    Then the subscriber is notified that 201 is confirmed within 1 second
