Feature: Presence sessions written by apps
  An app writes its own presence session through Graph setPresence; only five
  pairs are accepted, the session lasts expirationDuration (5 min to 4 h,
  default 5 min), and an Available session that is not refreshed fades to
  AvailableInactive after 5 minutes and to Away 5 minutes later (G-SET-1,
  G-SET-2, T-SRC-2).

  Background:
    Given the users alice

  @G-SET-2 @T-SRC-2
  Scenario: An app session that is not refreshed fades
    Given the app "crm" sets alice's presence to Available for 1 hour
    When 5 minutes pass
    Then alice's presence is Available/AvailableInactive
    And alice's presence was decided by G-SET-2
    When 5 minutes pass
    Then alice's presence is Away
    When 50 minutes pass
    Then alice's presence is Offline

  @G-SET-2
  Scenario: Refreshing the session keeps it Available
    Given the app "crm" sets alice's presence to Available for 1 hour
    When 4 minutes pass
    And the app "crm" sets alice's presence to Available for 1 hour
    And 4 minutes pass
    Then alice's presence is Available/Available

  @G-SET-1 @T-AGG-4
  Scenario: Without an expirationDuration the session ends after 5 minutes
    Given the app "crm" sets alice's presence to Busy/InACall
    When 4 minutes pass
    Then alice's presence is Busy/InACall
    When 1 minute passes
    Then alice's presence is Offline

  @G-SET-1
  Scenario Outline: Pairs setPresence refuses
    When the app "crm" tries to set alice's presence to <pair>
    Then it is refused because <reason>

    Examples:
      | pair                      | reason                          |
      | Busy/Busy                 | setPresence does not accept     |
      | DoNotDisturb/DoNotDisturb | setPresence does not accept     |
      | BeRightBack/BeRightBack   | setPresence does not accept     |
      | Offline/OffWork           | setPresence does not accept     |
      | Busy/InAMeeting           | setPresence does not accept     |
